import type { StepContext } from '@flotilla/workflow';
import type { QueryRequest, QueryResult } from './db-driver.js';
import { abortedError } from '../../process/aborted-error.js';
import { toDbStepError } from './db-errors.js';
import { maskDsn, parseDsn } from './dsn.js';
import { dbSpec } from '../../catalogue/db.js';
import type { DbConfig } from '../../catalogue/db.js';
import { withRunner } from '../step-runner.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * `db`: runs one query against PostgreSQL, MySQL/MariaDB or SQLite (sql.js, no native add-on)
 * on a fresh connection that is always closed. Outputs `rows`, `columns`, `rows_affected`,
 * `truncated`. Read-only queries are idempotent, everything else at-most-once.
 */
export const dbStep = withRunner(dbSpec, {
  run: async (ctx) => {
    const { config } = ctx;
    const dsn = parseDsn(config.driver, config.dsn);
    const secret = dsn.kind === 'server' ? dsn.password : '';
    ctx.log.info(`db: ${config.driver} ${maskDsn(config.dsn)}`);
    // `config.timeout` is the step's timeout (the document compiler makes it so): when ctx.signal
    // aborts, the driver cancels the query on the server
    const signal = ctx.signal;
    try {
      const request: QueryRequest = {
        query: config.query,
        params: config.params,
        maxRows: config.max_rows,
        connectTimeoutMs: config.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
        signal,
        log: ctx.log,
      };
      const result = await runQuery(dsn, request, ctx);
      // MySQL's KILL QUERY ends SLEEP() and some statements with a normal result, not an error.
      if (signal.aborted) throw abortedError(signal);
      if (result.truncated) ctx.log.info(`db: result truncated to ${result.rows.length} rows (max_rows)`);
      return {
        outputs: {
          rows: result.rows,
          columns: result.columns,
          rows_affected: result.rowsAffected,
          truncated: result.truncated,
        },
      };
    } catch (err) {
      throw toDbStepError(err, { signal, secret });
    }
  },
});

// Drivers load on first use: an agent that never runs a db step does not carry them (memory).
async function runQuery(
  dsn: ReturnType<typeof parseDsn>,
  request: QueryRequest,
  ctx: StepContext<DbConfig>,
): Promise<QueryResult> {
  if (dsn.kind === 'file') return (await import('./sqlite-driver.js')).querySqlite(dsn, request, ctx.services.policy);
  if (ctx.config.driver === 'postgres') return (await import('./postgres-driver.js')).queryPostgres(dsn, request);
  return (await import('./mysql-driver.js')).queryMysql(dsn, request);
}
