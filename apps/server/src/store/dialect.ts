import type { Dialect, Kysely } from 'kysely';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The narrow seam between the store and a database engine. Queries are written once with Kysely;
 * a dialect only knows how to connect and how to recognise its own constraint errors.
 */
export interface StoreDialect {
  readonly name: DialectName;
  /** Creates the Kysely dialect, which owns the connection(s). */
  createKyselyDialect(): Dialect;
  /** Whether `err` is a unique or primary-key violation raised by this engine. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * Schema for Kysely's migration bookkeeping tables, when the engine has schemas. Kysely's
   * migrator otherwise finds a `kysely_migration` table in *any* schema of the database.
   */
  migrationTableSchema(db: Kysely<Database>): Promise<string | undefined>;
}
