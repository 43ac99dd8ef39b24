import pg from 'pg';
import { PostgresDialect, sql } from 'kysely';
import type { StoreDialect } from './dialect.js';
import { postgresLabels } from './labels-postgres.js';
import { postgresLogText } from './log-text-postgres.js';

/**
 * PostgreSQL through a `pg` pool. The connection string may carry libpq-style query parameters
 * such as `options=-c search_path=…` (the app's tables then go into that schema).
 */
export function postgresDialect(connectionString: string): StoreDialect {
  return {
    name: 'postgres',
    createKyselyDialect() {
      const pool = new pg.Pool({ connectionString, max: 10 });
      // An idle client that loses its server emits 'error' on the pool; without a listener
      // that would crash the process. The next query reconnects.
      pool.on('error', () => undefined);
      return new PostgresDialect({ pool });
    },
    isUniqueViolation(err) {
      return (err as { code?: unknown } | null)?.code === '23505';
    },
    async migrationTableSchema(db) {
      // The first schema of the connection's search_path: where the app's own tables go too.
      const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
      return rows[0]?.schema ?? undefined;
    },
    lockRows: (query, lock) => (lock === 'skip-locked' ? query.forUpdate().skipLocked() : query.forUpdate()),
    logText: postgresLogText,
    labels: postgresLabels,
  };
}
