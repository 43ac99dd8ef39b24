import { StepError } from '@flotilla/workflow';
import type { StepContext } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { confinePath } from '../file/roots.js';
import { execRemote } from './remote-exec.js';
import { SftpSession } from './sftp-session.js';
import { withSshConnection } from './ssh-connection.js';
import { sshSpec } from '../../catalogue/ssh.js';
import type { SshConfig } from '../../catalogue/ssh.js';
import { withRunner } from '../step-runner.js';

/**
 * `ssh`: upload a file, run a command, download a file — in that order, over one connection.
 * Outputs `stdout`, `stderr`, `exit_code` (and `uploaded` / `downloaded` byte counts); a
 * non-zero exit fails the step with the outputs kept. Always at-most-once: a remote command
 * interrupted by a crash is never repeated silently.
 */
export const sshStep = withRunner(sshSpec, {
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
