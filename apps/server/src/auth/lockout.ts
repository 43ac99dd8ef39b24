import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import { isoAfter, nowIso } from '../store/time.js';

/** Consecutive failed logins after which an account is locked. */
export const LOCKOUT_THRESHOLD = 5;
/** How long a locked account refuses logins. */
export const LOCKOUT_MS = 15 * 60_000;

/** Refuses a login (even with the right password) while the account is locked. */
export function assertNotLocked(user: { lockedUntil: string | null }): void {
  if (user.lockedUntil !== null && user.lockedUntil > nowIso()) {
    throw new FlotillaError('ACCOUNT_LOCKED', {
      detail: `Too many failed logins; try again after ${user.lockedUntil}`,
    });
  }
}

/** Counts a failure; returns the lock expiry when this failure locked the account. */
export async function recordLoginFailure(db: Kysely<Database>, userId: string): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
      .where('id', '=', userId)
      .execute();
    const row = await trx
      .selectFrom('users')
      .select('failed_logins')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    if (row.failed_logins < LOCKOUT_THRESHOLD) return null;
    const lockedUntil = isoAfter(LOCKOUT_MS);
    await trx
      .updateTable('users')
      .set({ failed_logins: 0, locked_until: lockedUntil })
      .where('id', '=', userId)
      .execute();
    return lockedUntil;
  });
}

/** A successful login clears the counter and any expired lock. */
export async function recordLoginSuccess(db: Kysely<Database>, userId: string): Promise<void> {
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute();
}
