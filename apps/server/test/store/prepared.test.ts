import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { preparedQuery } from '../../src/store/prepared.js';
import { dialectAvailable, DIALECTS, freshStore } from '../helpers/databases.js';

const insertTenant = preparedQuery((db, p: { id: string; name: string; createdAt: string }) =>
  db.insertInto('tenants').values({ id: p.id, name: p.name, created_at: p.createdAt }),
);

const tenantsLike = preparedQuery((db, p: { prefix: string; after: string }) =>
  db
    .selectFrom('tenants')
    .select(['id', 'name'])
    .where('name', 'like', p.prefix)
    .where('name', '>', p.after)
    .orderBy('name'),
);

const renameTenant = preparedQuery((db, p: { id: string; name: string }) =>
  db.updateTable('tenants').set({ name: p.name }).where('id', '=', p.id).returning(['id', 'name']),
);

describe.each(DIALECTS)('prepared queries [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let store: Store;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ store, close } = await freshStore(dialect));
  });
  afterAll(() => close());

  it('runs with each call’s values, on the database and inside a transaction', async () => {
    const createdAt = new Date().toISOString();
    for (const n of ['b', 'a', 'c'])
      await insertTenant.execute(store.db, { id: `t_prep_${n}`, name: `prep-${n}`, createdAt });
    await store.write((trx) => insertTenant.execute(trx, { id: 't_prep_d', name: 'prep-d', createdAt }));

    expect(await tenantsLike.execute(store.db, { prefix: 'prep-%', after: 'prep-a' })).toEqual([
      { id: 't_prep_b', name: 'prep-b' },
      { id: 't_prep_c', name: 'prep-c' },
      { id: 't_prep_d', name: 'prep-d' },
    ]);
    expect(await tenantsLike.execute(store.db, { prefix: 'prep-%', after: 'prep-c' })).toEqual([
      { id: 't_prep_d', name: 'prep-d' },
    ]);
    expect(await store.write((trx) => renameTenant.takeFirst(trx, { id: 't_prep_a', name: 'prep-z' }))).toEqual({
      id: 't_prep_a',
      name: 'prep-z',
    });
    expect(await renameTenant.takeFirst(store.db, { id: 't_prep_missing', name: 'x' })).toBeUndefined();
  });

  it('keeps a value that looks like SQL a value', async () => {
    const name = "prep-'); drop table tenants; --";
    await insertTenant.execute(store.db, { id: 't_prep_sql', name, createdAt: new Date().toISOString() });
    expect(await tenantsLike.execute(store.db, { prefix: "prep-'%", after: '' })).toEqual([{ id: 't_prep_sql', name }]);
  });

  it('refuses, on first use, a build that does not pass a parameter through as a value', async () => {
    const branching = preparedQuery((db, p: { id: string }) =>
      // a placeholder is never a real id: this build turns the parameter into a constant
      db
        .selectFrom('tenants')
        .select('id')
        .where('id', '=', p.id.startsWith('t_') ? p.id : 'nobody'),
    );
    await expect(branching.execute(store.db, { id: 't_prep_b' })).rejects.toThrow(/did not become bound values/);
  });
});
