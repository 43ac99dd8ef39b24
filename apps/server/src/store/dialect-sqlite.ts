import { mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, SqliteDriver } from 'kysely';
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, SqliteDialectConfig } from 'kysely';
import type { StoreDialect } from './dialect.js';
import { sqliteLabels } from './labels-sqlite.js';
import { sqliteLogText } from './log-text-sqlite.js';

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

/** How often the store made its writes durable: one WAL fdatasync per commit. */
export interface SqliteDurabilityStats {
  walSyncs: number;
}

/**
 * The write-ahead log of an open database, fdatasynced from libuv's thread pool. SQLite keeps the
 * same `-wal` file (same inode) while a connection is open, restarting it in place after a
 * checkpoint, so one handle stays valid; fsync is per file, whichever descriptor asks.
 */
class WalFile {
  readonly #path: string;
  #handle: Promise<FileHandle> | undefined;

  constructor(databasePath: string) {
    this.#path = `${databasePath}-wal`;
  }

  async sync(): Promise<void> {
    this.#handle ??= open(this.#path, 'r');
    let handle: FileHandle;
    try {
      handle = await this.#handle;
    } catch (err) {
      this.#handle = undefined; // try again on the next commit
      throw err;
    }
    await handle.datasync();
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}

/**
 * Kysely's SQLite driver with the commit's fsync taken off the event loop. The connection runs
 * with `synchronous=NORMAL`: a commit writes its WAL frames but does not wait for the disk. This
 * driver then fdatasyncs the WAL (thread pool) before the commit's promise resolves, so nothing
 * is acknowledged, answered or announced before it would survive a power cut, exactly as with
 * `synchronous=FULL`, while the event loop goes on with other frames and requests. Auto-commit
 * writes (a statement outside a transaction) are synced the same way; reads never are. The
 * connection stays held during the sync: statements never overtake a commit in flight.
 */
class DurableSqliteDriver extends SqliteDriver {
  readonly #sqlite: () => BetterSqlite3.Database;
  readonly #wal: WalFile;
  readonly #stats: SqliteDurabilityStats;
  #connection: DatabaseConnection | undefined;
  #transactionWrote = false;

  constructor(
    config: SqliteDialectConfig,
    sqlite: () => BetterSqlite3.Database,
    wal: WalFile,
    stats: SqliteDurabilityStats,
  ) {
    super(config);
    this.#sqlite = sqlite;
    this.#wal = wal;
    this.#stats = stats;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#connection ??= this.#durable(connection);
    return this.#connection;
  }

  #durable(connection: DatabaseConnection): DatabaseConnection {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await connection.executeQuery<R>(query);
        const db = this.#sqlite();
        // SQLite counts BEGIN/COMMIT as read-only statements: remember whether the transaction wrote.
        const wrote = !db.prepare(query.sql).readonly;
        if (db.inTransaction) {
          this.#transactionWrote ||= wrote;
          return result;
        }
        // A commit of writes, or a write outside a transaction: durable before anyone hears of it.
        if (wrote || this.#transactionWrote) {
          this.#transactionWrote = false;
          await this.#wal.sync();
          this.#stats.walSyncs++;
        }
        return result;
      },
      streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
    };
  }

  override async destroy(): Promise<void> {
    await super.destroy();
    await this.#wal.close();
  }
}

/**
 * SQLite through better-sqlite3: WAL so readers never block the writer; every commit durable
 * (fdatasync of the WAL) before it resolves, because an accepted job must survive a power cut
 * (SPEC §6), with that fsync done off the event loop (`DurableSqliteDriver`); foreign keys on;
 * and a busy timeout so a second process (e.g. a CLI maintenance command) waits instead of failing.
 */
export function sqliteDialect(filename: string): StoreDialect & { readonly durability: SqliteDurabilityStats } {
  const durability: SqliteDurabilityStats = { walSyncs: 0 };
  const inMemory = filename === ':memory:';
  return {
    name: 'sqlite',
    durability,
    createKyselyDialect() {
      let sqlite: BetterSqlite3.Database | undefined;
      const config: SqliteDialectConfig = {
        database: () => {
          if (!inMemory) mkdirSync(path.dirname(filename), { recursive: true });
          const db = new BetterSqlite3(filename);
          db.pragma('journal_mode = WAL');
          // NORMAL: commits do not fsync on the event loop; the driver syncs the WAL instead.
          // Checkpoints still sync the WAL before and the database file after copying.
          db.pragma(inMemory ? 'synchronous = FULL' : 'synchronous = NORMAL');
          db.pragma('foreign_keys = ON');
          db.pragma('busy_timeout = 5000');
          cachePreparedStatements(db);
          sqlite = db;
          return Promise.resolve(db);
        },
      };
      const opened = (): BetterSqlite3.Database => {
        if (sqlite === undefined) throw new Error('the SQLite database is not open');
        return sqlite;
      };
      // An in-memory database has no WAL to sync: Kysely's own driver, FULL.
      if (inMemory) return new SqliteDialect(config);
      return new (class extends SqliteDialect {
        override createDriver(): Driver {
          return new DurableSqliteDriver(config, opened, new WalFile(filename), durability);
        }
      })(config);
    },
    isUniqueViolation(err) {
      const code = (err as { code?: unknown } | null)?.code;
      return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
    },
    migrationTableSchema: () => Promise.resolve(undefined),
    // No row locks: a write unit that has written holds the database (see StoreDialect.lockRows).
    lockRows: (query) => query,
    logText: sqliteLogText,
    labels: sqliteLabels,
  };
}
