import { prepareOperations, runOperation } from './sftp-operations.js';
import { SftpSession } from './sftp-session.js';
import { withSshConnection } from './ssh-connection.js';
import { sftpSpec } from '../../catalogue/sftp.js';
import { withRunner } from '../step-runner.js';

/**
 * `sftp`: file operations on a remote host over one SSH connection — put, get, list, mkdir,
 * remove, rename. Outputs `results` (one record per operation) and, for a single operation,
 * that record's fields at the top level (e.g. `entries` of a list). Only get/list batches are
 * idempotent.
 */
export const sftpStep = withRunner(sftpSpec, {
  run: async (ctx) => {
    const operations = await prepareOperations(ctx.config.operations, ctx.services.policy);
    return withSshConnection(ctx, async (client) => {
      const sftp = await SftpSession.open(client);
      const results: Record<string, unknown>[] = [];
      for (const op of operations) {
        const result = await runOperation(sftp, op);
        ctx.log.info(`sftp: ${op.action} ${op.remote} done`);
        results.push(result);
      }
      const only = results.length === 1 ? results[0] : undefined;
      return { outputs: { ...only, results } };
    });
  },
});
