import { z } from 'zod';
import { FileModeSchema } from './file-mode.js';
import { refineConnection, sshConnectionFields } from './ssh-connection.js';
import { defineStepSpec } from './step-spec.js';

/** Config of the `ssh` step (SPEC §5.2). */
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
export const sshSpec = defineStepSpec({
  type: 'ssh',
  description: 'Run a command on a remote host over SSH, with optional file upload and download',
  configSchema: SshConfigSchema,
  effect: () => 'at-most-once',
});
