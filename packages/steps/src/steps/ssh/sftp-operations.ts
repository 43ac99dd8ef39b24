import { z } from 'zod';
import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';
import { confinePath } from '../file/roots.js';
import { FileModeSchema } from './file-mode.js';
import type { SftpSession } from './sftp-session.js';

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

/** An operation whose local path has been confined to the policy's roots. */
export type PreparedOperation = SftpOperation & { localPath?: string };

/** Confines every local path before any connection is made (POLICY_DENIED fails fast). */
export async function prepareOperations(
  operations: readonly SftpOperation[],
  policy: StepPolicy,
): Promise<PreparedOperation[]> {
  const prepared: PreparedOperation[] = [];
  for (const op of operations) {
    if (op.action !== 'put' && op.action !== 'get') {
      prepared.push(op);
      continue;
    }
    const confined = await confinePath(op.local, policy, { followLeaf: true });
    if (op.action === 'put' && !confined.exists)
      throw new StepError('STEP_FAILED', `local file not found: ${op.local}`);
    prepared.push({ ...op, localPath: confined.path });
  }
  return prepared;
}

/** Runs one operation and returns its result record (part of the step outputs). */
export async function runOperation(sftp: SftpSession, op: PreparedOperation): Promise<Record<string, unknown>> {
  switch (op.action) {
    case 'put':
      return {
        action: op.action,
        local: op.local,
        remote: op.remote,
        bytes: await sftp.put(op.localPath ?? op.local, op.remote, op.mode),
      };
    case 'get':
      return {
        action: op.action,
        remote: op.remote,
        local: op.local,
        bytes: await sftp.get(op.remote, op.localPath ?? op.local),
      };
    case 'list':
      return { action: op.action, remote: op.remote, entries: await sftp.list(op.remote) };
    case 'mkdir':
      return { action: op.action, remote: op.remote, created: await sftp.mkdir(op.remote, op.recursive) };
    case 'remove':
      return { action: op.action, remote: op.remote, removed: await sftp.remove(op.remote, op.recursive) };
    case 'rename':
      await sftp.rename(op.remote, op.to);
      return { action: op.action, remote: op.remote, to: op.to };
  }
}
