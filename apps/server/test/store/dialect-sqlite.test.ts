import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDialect } from '../../src/store/dialect-sqlite.js';

interface TestDb {
  notes: { id: number; body: string };
}

describe('SQLite durability (WAL synced off the event loop)', () => {
  let dir: string;
  let dialect: ReturnType<typeof sqliteDialect>;
  let db: Kysely<TestDb>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-sqlite-'));
    dialect = sqliteDialect(join(dir, 'store.db'));
    db = new Kysely<TestDb>({ dialect: dialect.createKyselyDialect() });
    await sql`create table notes (id integer primary key, body text not null)`.execute(db);
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const syncsDuring = async (body: () => Promise<unknown>): Promise<number> => {
    const before = dialect.durability.walSyncs;
    await body();
    return dialect.durability.walSyncs - before;
  };

  it('runs in WAL mode with synchronous=NORMAL: the driver does the syncing', async () => {
    const { rows: mode } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
    const { rows: level } = await sql<{ synchronous: number }>`pragma synchronous`.execute(db);
    expect(mode[0]?.journal_mode).toBe('wal');
    expect(level[0]?.synchronous).toBe(1);
  });

  it('syncs the WAL once per commit: each auto-commit write, each transaction, never a read', async () => {
    expect(
      await syncsDuring(async () => {
        for (let i = 1; i <= 3; i++)
          await db
            .insertInto('notes')
            .values({ id: i, body: `n${i}` })
            .execute();
      }),
    ).toBe(3);
    expect(
      await syncsDuring(() =>
        db.transaction().execute(async (trx) => {
          for (let i = 4; i <= 8; i++)
            await trx
              .insertInto('notes')
              .values({ id: i, body: `n${i}` })
              .execute();
        }),
      ),
    ).toBe(1);
    expect(
      await syncsDuring(async () => {
        await db.selectFrom('notes').selectAll().execute();
        await db.selectFrom('notes').select('id').where('id', '=', 2).executeTakeFirst();
      }),
    ).toBe(0);
    const { count } = await db
      .selectFrom('notes')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(count).toBe(8);
  });

  it('keeps what the Kysely SQLite driver offers: savepoints inside a transaction', async () => {
    const syncs = await syncsDuring(async () => {
      const trx = await db.startTransaction().execute();
      await trx.insertInto('notes').values({ id: 1, body: 'kept' }).execute();
      const inner = await trx.savepoint('maybe').execute();
      await inner.insertInto('notes').values({ id: 2, body: 'undone' }).execute();
      await inner.rollbackToSavepoint('maybe').execute();
      await trx.commit().execute();
    });
    expect(syncs).toBe(1);
    expect(await db.selectFrom('notes').select('body').execute()).toEqual([{ body: 'kept' }]);
  });

  it('a failed write is not synced and leaves nothing behind', async () => {
    await db.insertInto('notes').values({ id: 1, body: 'one' }).execute();
    const syncs = await syncsDuring(async () => {
      await expect(db.insertInto('notes').values({ id: 1, body: 'again' }).execute()).rejects.toThrow(/UNIQUE/);
    });
    expect(syncs).toBe(0);
    expect(await db.selectFrom('notes').select('body').execute()).toEqual([{ body: 'one' }]);
  });
});
