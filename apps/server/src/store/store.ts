import { Kysely, Migrator, sql } from 'kysely';
import type { DatabaseConfig } from '../options/server-options.js';
import type { StoreDialect } from './dialect.js';
import { sqliteDialect } from './dialect-sqlite.js';
import { postgresDialect } from './dialect-postgres.js';
import { migrationProvider } from './migrations/index.js';
import { GroupCommit, TransactionPerUnit } from './group-commit.js';
import type { StoreWriter, WriteUnit } from './group-commit.js';
import type { Database } from './schema.js';

/**
 * An open, migrated database. Repositories take `store.db` for reads and one-off changes; hot
 * write paths take the store itself and call `write` (group commit on SQLite, see group-commit.ts).
 * `close()` releases connections.
 */
export interface Store extends StoreWriter {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Cheap round trip used by `/readyz`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Picks the dialect for a database configuration. */
export function dialectFor(config: DatabaseConfig): StoreDialect {
  return config.dialect === 'sqlite' ? sqliteDialect(config.filename) : postgresDialect(config.connectionString);
}

/** Opens the database and applies pending migrations. */
export async function openStore(config: DatabaseConfig): Promise<Store> {
  const dialect = dialectFor(config);
  const db = new Kysely<Database>({ dialect: dialect.createKyselyDialect() });
  try {
    const migrationTableSchema = await dialect.migrationTableSchema(db);
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const writer = dialect.name === 'sqlite' ? new GroupCommit(db) : new TransactionPerUnit(db);
  return {
    db,
    dialect,
    write: <T>(unit: WriteUnit<T>) => writer.write(unit),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
