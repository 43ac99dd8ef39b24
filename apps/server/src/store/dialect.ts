import type { Dialect, Expression, Insertable, Kysely, SelectQueryBuilder, SqlBool } from 'kysely';
import type { WriteTransaction } from './group-commit.js';
import type { Database, LogChunkTable } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/** A term of a text search: its text and its words as the index sees them (none: punctuation only). */
export interface TextSearchTerm {
  readonly text: string;
  readonly tokens: readonly string[];
}

/**
 * The full-text index of log chunks, which each engine keeps its own way: a contentless FTS5 table
 * keyed by the chunk's rowid on SQLite, a `tsvector` column with a GIN index on PostgreSQL.
 */
export interface LogTextIndex {
  /** Inserts a chunk row and indexes `text` (what search may find of it), inside the write unit. */
  insertChunk(trx: WriteTransaction, row: Insertable<LogChunkTable>, text: string): Promise<void>;
  /** A filter on `log_chunks`: the indexed text holds every term (each term's words as a phrase). */
  matchesAll(terms: readonly TextSearchTerm[]): Expression<SqlBool>;
  /** A filter on `log_chunks`: the stored text contains `text` literally, ignoring case where the engine can. */
  contains(text: string): Expression<SqlBool>;
}

/**
 * Label queries on a column holding an agent's labels as JSON text (`{"role":"web"}`), which each
 * engine reads with its own JSON functions. Both mean exactly what `matchesLabelSelector` of the
 * protocol means; a test holds each engine to it.
 */
export interface LabelQueries {
  /** The labels include every `key: value` of `selector` (which has at least one). */
  hasAll(column: string, selector: Readonly<Record<string, string>>): Expression<SqlBool>;
  /** A label key or value contains `text` (already lower case), ignoring case where the engine can. */
  contain(column: string, text: string): Expression<SqlBool>;
}

/** `%text%` for `like`, with the wildcards of `text` escaped (escape character `\`). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * How a read locks the rows it selects until the write unit ends: `wait` queues behind other
 * holders; `skip-locked` leaves rows another transaction holds out of the result (job claims
 * across replicas, SPEC §10).
 */
export type RowLock = 'wait' | 'skip-locked';

/**
 * The narrow seam between the store and a database engine. Queries are written once with Kysely;
 * a dialect knows how to connect, how to recognise its own constraint errors, and the few things
 * engines do differently (row locks, full-text search), so no feature asks which engine it is on.
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
  /**
   * Locks the rows `query` selects for the rest of the write unit. PostgreSQL: `FOR UPDATE`
   * (`SKIP LOCKED`). SQLite has no row locks: a write unit holds the whole database once it has
   * written, so a unit that must serialise makes a write its first statement, and `skip-locked`
   * never skips (no other writer can hold anything).
   */
  lockRows<DB, TB extends keyof DB, O>(
    query: SelectQueryBuilder<DB, TB, O>,
    lock: RowLock,
  ): SelectQueryBuilder<DB, TB, O>;
  /** Full-text search over log chunks. */
  readonly logText: LogTextIndex;
  /** Label selectors and label text search over a JSON labels column. */
  readonly labels: LabelQueries;
}
