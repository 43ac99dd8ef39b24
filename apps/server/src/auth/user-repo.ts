import type { Kysely } from 'kysely';
import type { Database, UserTable } from '../store/schema.js';

/** A user with the name of its tenant, as authentication needs it. */
export interface UserRecord {
  id: string;
  username: string;
  role: UserTable['role'];
  tenantId: string;
  tenantName: string;
  passwordHash: string;
  /** Logins are refused until then (lockout). */
  lockedUntil: string | null;
}

/** Usernames are unique server-wide, so login needs no tenant. */
export async function findUserByUsername(db: Kysely<Database>, username: string): Promise<UserRecord | undefined> {
  const row = await db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .select([
      'users.id',
      'users.username',
      'users.role',
      'users.tenant_id',
      'tenants.name as tenant_name',
      'users.password_hash',
      'users.locked_until',
    ])
    .where('users.username', '=', username)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        id: row.id,
        username: row.username,
        role: row.role,
        tenantId: row.tenant_id,
        tenantName: row.tenant_name,
        passwordHash: row.password_hash,
        lockedUntil: row.locked_until,
      };
}
