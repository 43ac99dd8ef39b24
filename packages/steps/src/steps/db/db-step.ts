import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { StepError, defineStep } from '@flotilla/workflow';
import type { StepContext } from '@flotilla/workflow';
import type { QueryRequest, QueryResult } from './db-driver.js';
import { abortedError } from '../../process/aborted-error.js';
import { toDbStepError } from './db-errors.js';
import { maskDsn, parseDsn } from './dsn.js';
import { queryEffect } from './query-effect.js';

const DEFAULT_MAX_ROWS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export const DbConfigSchema = z.strictObject({
  driver: z
    .enum(['postgres', 'mysql', 'sqlite'])
    .describe('Database driver: postgres, mysql (also MariaDB) or sqlite.'),
  dsn: z
    .string()
    .min(1)
    .describe(
      'Where to connect. URL (postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db, sqlite:///abs/path.db), ' +
        'Go style (user:pass@tcp(host:port)/db?param=value) or, for sqlite, a file path. Put the password in a secret: {{.DB_PASSWORD}}.',
    ),
  query: z.string().min(1).describe('SQL to run. Use params for values, never string templating.'),
  params: z
    .array(z.unknown())
    .default([])
    .describe('Positional parameters: $1, $2… for postgres; ? for mysql and sqlite.'),
  timeout: DurationSchema.optional().describe(
    'Cancels the query (server-side) after this long, e.g. 30s. The step timeout applies as well.',
  ),
  connect_timeout: DurationSchema.optional().describe('How long to wait for the connection. Default 10s.'),
  max_rows: z
    .number()
    .int()
    .positive()
    .max(1_000_000)
    .default(DEFAULT_MAX_ROWS)
    .describe('Rows kept in the `rows` output; more set `truncated`. Default 10000.'),
});
export type DbConfig = z.output<typeof DbConfigSchema>;

/**
 * `db`: runs one query against PostgreSQL, MySQL/MariaDB or SQLite (sql.js, no native add-on)
 * on a fresh connection that is always closed. Outputs `rows`, `columns`, `rows_affected`,
 * `truncated`. Read-only queries are idempotent, everything else at-most-once.
 */
export const dbStep = defineStep({
  type: 'db',
  description: 'Run a SQL query on PostgreSQL, MySQL/MariaDB or SQLite',
  configSchema: DbConfigSchema,
  effect: (config) => queryEffect(config.query),
  run: async (ctx) => {
    const { config } = ctx;
    const dsn = parseDsn(config.driver, config.dsn);
    const secret = dsn.kind === 'server' ? dsn.password : '';
    ctx.log.info(`db: ${config.driver} ${maskDsn(config.dsn)}`);
    const deadline = queryDeadline(ctx);
    try {
      const request: QueryRequest = {
        query: config.query,
        params: config.params,
        maxRows: config.max_rows,
        connectTimeoutMs: config.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
        signal: deadline.signal,
        log: ctx.log,
      };
      const result = await runQuery(dsn, request, ctx);
      // MySQL's KILL QUERY ends SLEEP() and some statements with a normal result, not an error.
      if (deadline.signal.aborted) throw abortedError(deadline.signal);
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
      throw toDbStepError(err, { signal: deadline.signal, secret });
    } finally {
      deadline.dispose();
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

/** The step's signal, plus the query `timeout` when one is set (aborting with a retryable STEP_TIMEOUT). */
function queryDeadline(ctx: StepContext<DbConfig>): { signal: AbortSignal; dispose: () => void } {
  const timeoutMs = ctx.config.timeout;
  if (timeoutMs === undefined) return { signal: ctx.signal, dispose: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new StepError('STEP_TIMEOUT', `the query did not finish within ${timeoutMs} ms`, { retryable: true }),
    );
  }, timeoutMs);
  return {
    signal: AbortSignal.any([ctx.signal, controller.signal]),
    dispose: () => {
      clearTimeout(timer);
    },
  };
}
