import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/options/database-url.js';
import { openStore, type Store } from '../../src/store/store.js';

/**
 * Test databases for every store dialect. Other suites (e2e) reuse this to run against both:
 *
 *   describe.each(DIALECTS)('thing [%s]', (dialect) => {
 *     if (skipUnavailable(dialect)) return;
 *     let db: TestDatabase;
 *     beforeAll(async () => { db = await createTestDatabase(dialect); });
 *     afterAll(() => db.cleanup());
 *   });
 *
 * PostgreSQL isolation: each test database is a fresh database `flotilla_t_<random>` on the shared
 * server, dropped (with its connections) by `cleanup()`.
 */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

/** Server used for PostgreSQL tests; override with FLOTILLA_TEST_POSTGRES_URL. */
export const POSTGRES_URL = process.env.FLOTILLA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  dialect: TestDialect;
  /** A `databaseUrl` for `compileServerOptions`. */
  url: string;
  /** Drops the schema / deletes the files. */
  cleanup(): Promise<void>;
}

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgresProblem = await probePostgres();

/** Which dialects can run here. A missing service skips loudly, or fails under FLOTILLA_REQUIRE_SERVICES=1. */
export const dialectAvailable: Record<TestDialect, boolean> = { sqlite: true, postgres: postgresProblem === null };

if (postgresProblem !== null) {
  const message = `PostgreSQL unavailable at ${POSTGRES_URL} (${postgresProblem}): PostgreSQL store tests are SKIPPED`;
  if (process.env.FLOTILLA_REQUIRE_SERVICES === '1')
    throw new Error(`${message} — FLOTILLA_REQUIRE_SERVICES=1 requires it`);
  console.warn(`\n⚠️  ${message}\n`);
}

/** Creates an empty database of the dialect. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-db-'));
    return {
      dialect,
      url: `sqlite:${path.join(dir, 'flotilla.db')}`,
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  }
  // A database per test file, not a schema: the migrator introspects every schema of its
  // database, and another file dropping its schema mid-scan failed that scan (3F000).
  const name = `flotilla_t_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    cleanup: () =>
      withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A migrated store on a fresh database of the dialect; `close()` also drops the database. */
export async function freshStore(dialect: TestDialect): Promise<{ store: Store; close: () => Promise<void> }> {
  const database = await createTestDatabase(dialect);
  const config = parseDatabaseUrl(database.url, process.cwd());
  if (typeof config === 'string') throw new Error(config);
  const store = await openStore(config);
  return {
    store,
    close: async () => {
      await store.close();
      await database.cleanup();
    },
  };
}
