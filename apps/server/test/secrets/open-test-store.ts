import { compileServerOptions } from '@flotilla/server';
import { openStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/store.js';

/** A second connection to a test server's database, to look at (and tamper with) rows directly. */
export function openTestStore(databaseUrl: string): Promise<Store> {
  return openStore(compileServerOptions({ flags: { databaseUrl } }).database);
}
