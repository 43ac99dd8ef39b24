import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { parseDsnText } from './db-dsn.js';
import { queryEffect } from './query-effect.js';
import { hasSeveralStatements } from './sql-statements.js';
import { defineStepSpec } from './step-spec.js';

const DEFAULT_MAX_ROWS = 10_000;

/** Config of the `db` step (SPEC §5.2). */
export const DbConfigSchema = z
  .strictObject({
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
    connect_timeout: DurationSchema.optional().describe('How long to wait for the connection. Default 10s.'),
    max_rows: z
      .number()
      .int()
      .positive()
      .max(1_000_000)
      .default(DEFAULT_MAX_ROWS)
      .describe('Rows kept in the `rows` output; more set `truncated`. Default 10000.'),
  })
  .superRefine((config, ctx) => {
    const dsn = parseDsnText(config.driver, config.dsn);
    if ('invalid' in dsn) ctx.addIssue({ code: 'custom', path: ['dsn'], message: dsn.invalid });
    // how each driver runs a query: mysql2 without multipleStatements, params as a prepared
    // statement on postgres, one statement bound at a time on sqlite
    const several = hasSeveralStatements(config.query);
    if (several && config.driver === 'mysql') {
      ctx.addIssue({ code: 'custom', path: ['query'], message: 'MySQL/MariaDB runs one statement per step' });
    } else if (several && config.params.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['query'], message: 'params need a single SQL statement' });
    }
  });
export type DbConfig = z.output<typeof DbConfigSchema>;

/**
 * `db`: runs one query against PostgreSQL, MySQL/MariaDB or SQLite (sql.js, no native add-on)
 * on a fresh connection that is always closed. Outputs `rows`, `columns`, `rows_affected`,
 * `truncated`. Read-only queries are idempotent, everything else at-most-once.
 */
export const dbSpec = defineStepSpec({
  type: 'db',
  description: 'Run a SQL query on PostgreSQL, MySQL/MariaDB or SQLite',
  configSchema: DbConfigSchema,
  effect: (config) => queryEffect(config.query),
});
