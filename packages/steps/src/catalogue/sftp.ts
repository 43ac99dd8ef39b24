import { z } from 'zod';
import { READ_ONLY_ACTIONS, SftpOperationSchema } from './sftp-operations.js';
import type { SftpOperation } from './sftp-operations.js';
import { refineConnection, sshConnectionFields } from './ssh-connection.js';
import { defineStepSpec } from './step-spec.js';

/** Fields of the one-operation shorthand (`action: list, remote: /srv`); `local` + `remote` alone mean `put`. */
const singleOperationFields = {
  action: z
    .enum(['put', 'get', 'list', 'mkdir', 'remove', 'rename'])
    .optional()
    .describe('One operation instead of `operations`. Default put.'),
  local: z.string().min(1).optional().describe('Agent-side path (put, get).'),
  remote: z.string().min(1).optional().describe('Remote path.'),
  to: z.string().min(1).optional().describe('New remote path (rename).'),
  // Kept raw here: the operation schema parses it (parsing twice would re-read 0755 as 493).
  mode: z.union([z.string(), z.number()]).optional().describe('put: permission bits as octal text, e.g. "0644".'),
  recursive: z
    .boolean()
    .optional()
    .describe('mkdir: create parents (default true); remove: delete a directory tree (default false).'),
};

/** Config of the `sftp` step (SPEC §5.2): `operations`, or one operation's fields. */
export const SftpConfigSchema = z
  .strictObject({
    ...sshConnectionFields,
    operations: z.array(SftpOperationSchema).min(1).optional().describe('Operations run in order over one connection.'),
    ...singleOperationFields,
  })
  .superRefine(refineConnection)
  .transform((config, ctx) => {
    const { operations, action, local, remote, to, mode, recursive, ...connection } = config;
    const single = action !== undefined || local !== undefined || remote !== undefined;
    if (operations !== undefined && single) {
      ctx.addIssue({ code: 'custom', path: ['operations'], message: 'give operations or a single action, not both' });
      return z.NEVER;
    }
    if (operations !== undefined) return { ...connection, operations };
    const parsed = SftpOperationSchema.safeParse(
      dropUndefined({ action: action ?? 'put', local, remote, to, mode, recursive }),
    );
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return { ...connection, operations: [parsed.data] as SftpOperation[] };
  });
export type SftpConfig = z.output<typeof SftpConfigSchema>;

/**
 * `sftp`: file operations on a remote host over one SSH connection — put, get, list, mkdir,
 * remove, rename. Only get/list batches are idempotent.
 */
export const sftpSpec = defineStepSpec({
  type: 'sftp',
  description: 'Transfer and manage files on a remote host over SFTP',
  configSchema: SftpConfigSchema,
  effect: (config) =>
    config.operations.every((op) => READ_ONLY_ACTIONS.has(op.action)) ? 'idempotent' : 'at-most-once',
});

/** The mode/recursive fields are only valid for some actions: leave unset ones out entirely. */
function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
