import { z } from 'zod';
import { StepError, defineStep } from '@flotilla/workflow';
import type { StepContext } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { confinePath } from '../file/roots.js';
import { FileModeSchema } from './file-mode.js';
import { execRemote } from './remote-exec.js';
import { SftpSession } from './sftp-session.js';
import { withSshConnection } from './ssh-connection.js';
import { refineConnection, sshConnectionFields } from './ssh-options.js';

export const SshConfigSchema = z
  .strictObject({
    ...sshConnectionFields,
    command: z
      .string()
      .min(1)
      .optional()
      .describe('Command run by the remote login shell; its output streams to the log.'),
    pty: z
      .boolean()
      .default(false)
      .describe(
        'Run the command on a pseudo-terminal. On abort the remote command is then hung up (SIGHUP) even where the server ignores signal requests; stdout and stderr arrive merged.',
      ),
    upload: z
      .strictObject({
        local: z.string().min(1).describe('File on the agent, inside the allowed file roots.'),
        remote: z.string().min(1).describe('Destination path on the host; replaced atomically.'),
        mode: FileModeSchema.optional(),
      })
      .optional()
      .describe('Copy a file to the host before the command runs.'),
    download: z
      .strictObject({
        remote: z.string().min(1).describe('File on the host.'),
        local: z
          .string()
          .min(1)
          .describe('Destination on the agent, inside the allowed file roots; replaced atomically.'),
      })
      .optional()
      .describe('Copy a file from the host after the command succeeded.'),
  })
  .superRefine((config, ctx) => {
    refineConnection(config, ctx);
    if (config.command === undefined && config.upload === undefined && config.download === undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'give command, upload or download' });
    }
  });
export type SshConfig = z.output<typeof SshConfigSchema>;

/**
 * `ssh`: upload a file, run a command, download a file — in that order, over one connection.
 * Outputs `stdout`, `stderr`, `exit_code` (and `uploaded` / `downloaded` byte counts); a
 * non-zero exit fails the step with the outputs kept. Always at-most-once: a remote command
 * interrupted by a crash is never repeated silently.
 */
export const sshStep = defineStep({
  type: 'ssh',
  description: 'Run a command on a remote host over SSH, with optional file upload and download',
  configSchema: SshConfigSchema,
  effect: () => 'at-most-once',
  run: async (ctx) => {
    const { config } = ctx;
    const uploadFrom = config.upload === undefined ? undefined : await confinedExisting(ctx, config.upload.local);
    const downloadTo =
      config.download === undefined
        ? undefined
        : (await confinePath(config.download.local, ctx.services.policy, { followLeaf: true })).path;
    return withSshConnection(ctx, async (client) => {
      const outputs: Record<string, unknown> = {};
      if (config.upload !== undefined && uploadFrom !== undefined) {
        const sftp = await SftpSession.open(client);
        outputs.uploaded = await sftp.put(uploadFrom, config.upload.remote, config.upload.mode);
        ctx.log.info(
          `ssh: uploaded ${config.upload.local} → ${config.upload.remote} (${String(outputs.uploaded)} bytes)`,
        );
      }
      if (config.command !== undefined) {
        const result = await execRemote(client, config.command, { log: ctx.log, signal: ctx.signal, pty: config.pty });
        Object.assign(outputs, { stdout: result.stdout, stderr: result.stderr, exit_code: result.exitCode });
        if (ctx.signal.aborted) throw abortedError(ctx.signal, outputs);
        if (result.exitCode !== 0) {
          const how =
            result.exitCode === null
              ? `was killed by ${result.signal ?? 'a signal or a lost connection'}`
              : `exited with code ${result.exitCode}`;
          throw new StepError('STEP_FAILED', `remote command ${how}`, { retryable: true, outputs });
        }
      }
      if (config.download !== undefined && downloadTo !== undefined) {
        const sftp = await SftpSession.open(client);
        outputs.downloaded = await sftp.get(config.download.remote, downloadTo);
        ctx.log.info(
          `ssh: downloaded ${config.download.remote} → ${config.download.local} (${String(outputs.downloaded)} bytes)`,
        );
      }
      return { outputs };
    });
  },
});

async function confinedExisting(ctx: StepContext<SshConfig>, local: string): Promise<string> {
  const confined = await confinePath(local, ctx.services.policy, { followLeaf: true });
  if (!confined.exists) throw new StepError('STEP_FAILED', `local file not found: ${local}`);
  return confined.path;
}
