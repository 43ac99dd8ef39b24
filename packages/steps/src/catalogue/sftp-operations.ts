import { z } from 'zod';
import { FileModeSchema } from './file-mode.js';

const remote = z.string().min(1).describe('Path on the remote host.');
const local = z.string().min(1).describe('Path on the agent, inside the allowed file roots.');

/** One SFTP operation; `action` picks the kind. */
export const SftpOperationSchema = z.discriminatedUnion('action', [
  z
    .strictObject({ action: z.literal('put'), local, remote, mode: FileModeSchema.optional() })
    .describe('Upload local → remote (atomic replace).'),
  z.strictObject({ action: z.literal('get'), remote, local }).describe('Download remote → local (atomic replace).'),
  z.strictObject({ action: z.literal('list'), remote }).describe('List a remote directory (output `entries`).'),
  z
    .strictObject({
      action: z.literal('mkdir'),
      remote,
      recursive: z.boolean().default(true).describe('Create missing parents too. Default true.'),
    })
    .describe('Create a remote directory; an existing one is fine.'),
  z
    .strictObject({
      action: z.literal('remove'),
      remote,
      recursive: z.boolean().default(false).describe('Remove a directory with its contents.'),
    })
    .describe('Remove a remote file or directory; a missing path is fine.'),
  z
    .strictObject({
      action: z.literal('rename'),
      remote,
      to: z.string().min(1).describe('New remote path (replaced if it exists).'),
    })
    .describe('Rename or move a remote path.'),
]);
export type SftpOperation = z.output<typeof SftpOperationSchema>;
export type SftpAction = SftpOperation['action'];

/** Actions that only read: repeating them after a crash is harmless. */
export const READ_ONLY_ACTIONS: ReadonlySet<SftpAction> = new Set(['get', 'list']);
