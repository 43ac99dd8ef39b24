import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { StoreDialect } from './dialect.js';

/** Distinct SQL texts kept prepared; the server issues a few hundred. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely prepares every query anew, and preparing costs more than running a small query. The
 * queries are built from fixed code, so their SQL texts are few: keep their statements (LRU).
 * Safe because the connection runs one statement at a time and the server never streams rows.
 */
function cachePreparedStatements(db: BetterSqlite3.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, BetterSqlite3.Statement>();
  db.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement === undefined) {
      statement = prepare(source);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    } else {
      cache.delete(source);
    }
    cache.set(source, statement);
    return statement;
  }) as BetterSqlite3.Database['prepare'];
}

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
          cachePreparedStatements(db);
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
