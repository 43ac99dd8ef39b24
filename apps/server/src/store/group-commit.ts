import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

declare const writeUnitBrand: unique symbol;

/**
 * The transaction of a write unit. Only `store.write` makes one (the cast in `runUnit` is the
 * only one), so a function that takes it cannot run outside the store's write path: the hot-path
 * repositories (agent frames, dispatch, submits, cancels, audit) take this type rather than
 * `Kysely<Database>`, and calling one with `store.db` or another transaction does not compile.
 */
export type WriteTransaction = Transaction<Database> & { readonly [writeUnitBrand]: true };

/**
 * A unit of writes: it runs inside a transaction and touches nothing but `trx` (no sends, no
 * events, no other connection), so it can be rolled back and run again without side effects.
 */
export type WriteUnit<T> = (trx: WriteTransaction) => Promise<T>;

/** Runs a unit in a transaction of its own. */
function runUnit<T>(db: Kysely<Database>, unit: WriteUnit<T>): Promise<T> {
  return db.transaction().execute((trx) => unit(trx as WriteTransaction));
}

/** Runs write units atomically. The hot paths (agent frames, job submits, audit) go through it. */
export interface StoreWriter {
  write<T>(unit: WriteUnit<T>): Promise<T>;
}

/** Units committed together at most; a longer queue is committed in several groups. */
const MAX_GROUP = 1000;

interface Pending {
  unit: WriteUnit<unknown>;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/**
 * Group commit for SQLite (one connection, every commit synced): every unit submitted while the
 * event loop handles one round of I/O shares ONE transaction and ONE fsync. Units resolve only
 * after that commit, so whatever a caller does next (acknowledge, announce, answer) follows a
 * durable write, exactly as with a transaction of its own.
 *
 * A unit that throws rolls back its whole group; the group is then replayed one unit per
 * transaction, so only the faulty unit fails and the others commit as if alone. Units are
 * committed in submission order, which keeps each agent connection's frames in order.
 */
export class GroupCommit implements StoreWriter {
  readonly #db: Kysely<Database>;
  #queue: Pending[] = [];
  #draining = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  write<T>(unit: WriteUnit<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ unit, resolve: (value) => resolve(value as T), reject });
      // setImmediate runs after the I/O callbacks of this loop turn: their units join the group.
      if (!this.#draining && this.#queue.length === 1) setImmediate(() => void this.#drain());
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) await this.#commit(this.#queue.splice(0, MAX_GROUP));
    } finally {
      this.#draining = false;
    }
  }

  async #commit(group: Pending[]): Promise<void> {
    if (group.length > 1) {
      const results: unknown[] = [];
      try {
        await runUnit(this.#db, async (trx) => {
          for (const pending of group) results.push(await pending.unit(trx));
        });
        group.forEach((pending, i) => pending.resolve(results[i]));
        return;
      } catch {
        // Fall through: find the unit at fault by committing each alone.
      }
    }
    for (const pending of group) {
      try {
        pending.resolve(await runUnit(this.#db, pending.unit));
      } catch (err) {
        pending.reject(err);
      }
    }
  }
}

/** One transaction per unit: PostgreSQL groups concurrent commits itself, across connections. */
export class TransactionPerUnit implements StoreWriter {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  write<T>(unit: WriteUnit<T>): Promise<T> {
    return runUnit(this.#db, unit);
  }
}
