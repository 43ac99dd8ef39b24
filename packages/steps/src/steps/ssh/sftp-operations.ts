import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';
import { confinePath } from '../file/roots.js';
import type { SftpOperation } from '../../catalogue/sftp-operations.js';
import type { SftpSession } from './sftp-session.js';

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
