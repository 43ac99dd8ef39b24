import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { StoreDialect } from './dialect.js';

/**
 * SQLite through better-sqlite3: WAL so readers never block the writer, `synchronous=FULL` because
 * an accepted job must survive a power cut (SPEC §6), foreign keys on, and a busy timeout so a
 * second process (e.g. a CLI maintenance command) waits instead of failing.
 */
export function sqliteDialect(filename: string): StoreDialect {
  return {
    name: 'sqlite',
    createKyselyDialect() {
      return new SqliteDialect({
        database: () => {
          if (filename !== ':memory:') mkdirSync(path.dirname(filename), { recursive: true });
          const db = new BetterSqlite3(filename);
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = FULL');
          db.pragma('foreign_keys = ON');
          db.pragma('busy_timeout = 5000');
          return Promise.resolve(db);
        },
      });
    },
    isUniqueViolation(err) {
      const code = (err as { code?: unknown } | null)?.code;
      return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
    },
    migrationTableSchema: () => Promise.resolve(undefined),
  };
}
