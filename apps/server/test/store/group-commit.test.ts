import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { transitionRun } from '../../src/jobs/run-repo.js';
import type { WriteTransaction } from '../../src/store/group-commit.js';
import type { Database } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';
import { bootstrapFirstStart } from '../../src/bootstrap/first-start.js';
import { dialectAvailable, DIALECTS, freshStore } from '../helpers/databases.js';

/** Names of the tenants whose name starts with `prefix`, sorted. */
const tenantsNamed = async (store: Store, prefix: string): Promise<string[]> => {
  const rows = await store.db
    .selectFrom('tenants')
    .select('name')
    .where('name', 'like', `${prefix}%`)
    .orderBy('name')
    .execute();
  return rows.map((r) => r.name);
};

describe.each(DIALECTS)('store writes [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let store: Store;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ store, close } = await freshStore(dialect));
    await bootstrapFirstStart(store.db, store.dialect, null);
  });
  afterAll(() => close());

  const insertTenant = (name: string) => (trx: Parameters<Parameters<Store['write']>[0]>[0]) =>
    trx
      .insertInto('tenants')
      .values({ id: `t_${name}`, name, created_at: new Date().toISOString() })
      .execute();

  it('commits every unit of a burst and resolves each with its own result, in order', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        store.write(async (trx) => {
          await insertTenant(`burst-${String(i).padStart(2, '0')}`)(trx);
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await tenantsNamed(store, 'burst-')).toHaveLength(40);
  });

  it('a failing unit fails alone: the others of its burst are committed, nothing of it is', async () => {
    // The conflict is with a row from before the burst: on PostgreSQL the units of a burst run
    // concurrently, so a conflict between two of them could go either way.
    await store.write(insertTenant('iso-taken'));
    const outcomes = await Promise.allSettled([
      store.write(insertTenant('iso-a')),
      store.write(async (trx) => {
        await insertTenant('iso-bad')(trx);
        await insertTenant('iso-taken')(trx); // unique name: fails after a first write of its own
      }),
      store.write(insertTenant('iso-b')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failure = outcomes[1] as PromiseRejectedResult;
    expect(store.dialect.isUniqueViolation(failure.reason)).toBe(true);
    // The failing unit's first insert was rolled back with it.
    expect(await tenantsNamed(store, 'iso-')).toEqual(['iso-a', 'iso-b', 'iso-taken']);
  });

  it('is the only way into the hot-path repositories (the compiler refuses any other)', () => {
    // Only `store.write` hands out a WriteTransaction: neither the pool nor a transaction opened
    // beside the write path can call a hot-path write such as a run transition.
    expectTypeOf<Kysely<Database>>().not.toExtend<WriteTransaction>();
    expectTypeOf<Transaction<Database>>().not.toExtend<WriteTransaction>();
    expectTypeOf<Parameters<Store['write']>[0]>().parameter(0).toEqualTypeOf<WriteTransaction>();
    const beside = () =>
      // @ts-expect-error a transaction opened beside `store.write` is not a write unit's
      store.db.transaction().execute((trx) => transitionRun(trx, { runId: 'r', agentId: 'a', transition: 'dispatch' }));
    expect(beside).toBeTypeOf('function');
  });

  // PostgreSQL commits each unit on its own (it groups concurrent commits itself).
  if (dialect !== 'sqlite') return;
  it('a burst shares one commit on SQLite (group commit)', async () => {
    // Empty the WAL, then count the frames a burst appends: one commit writes the changed pages
    // once; one commit per unit would append at least one frame per unit.
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.write(insertTenant(`group-${i}`))));
    const { rows } = await sql<{ log: number }>`PRAGMA wal_checkpoint(PASSIVE)`.execute(store.db);
    const frames = Number(rows[0]?.log);
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThan(25);
  });
});
