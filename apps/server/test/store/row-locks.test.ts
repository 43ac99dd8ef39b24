import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapFirstStart } from '../../src/bootstrap/first-start.js';
import type { Store } from '../../src/store/store.js';
import { dialectAvailable, DIALECTS, freshStore } from '../helpers/databases.js';

describe.each(DIALECTS)('row locks through the dialect [%s]', (dialect) => {
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

  const tenants = (trx: Parameters<Parameters<Store['write']>[0]>[0]) =>
    trx.selectFrom('tenants').select('name').where('name', '=', 'default');

  it('locks selected rows until the unit ends; skip-locked leaves rows another unit holds out', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = store.write(async (trx) => {
      const rows = await store.dialect.lockRows(tenants(trx), 'wait').execute();
      locked();
      await held;
      return rows;
    });
    if (dialect === 'postgres') {
      await isLocked;
      // Another transaction, while the first holds the row: skipped, not waited for.
      const skipped = await store.write((trx) => store.dialect.lockRows(tenants(trx), 'skip-locked').execute());
      expect(skipped).toEqual([]);
      release();
      expect(await holder).toEqual([{ name: 'default' }]);
    } else {
      // SQLite has no row locks (a unit that wrote holds the database): nothing is ever skipped.
      release();
      expect(await holder).toEqual([{ name: 'default' }]);
    }
    expect(await store.write((trx) => store.dialect.lockRows(tenants(trx), 'skip-locked').execute())).toEqual([
      { name: 'default' },
    ]);
  });
});
