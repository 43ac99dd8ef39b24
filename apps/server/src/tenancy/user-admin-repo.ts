import type { Kysely } from 'kysely';
import type { UserAccount } from '@flotilla/protocol';
import { FlotillaError } from '@flotilla/protocol';
import { hashPassword } from '../auth/password.js';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';

export interface NewUser {
  tenant: { id: string; name: string };
  username: string;
  password: string;
  role: 'admin' | 'member';
}

/** Creates a local user (argon2id); usernames are unique server-wide. */
export async function createUser(db: Kysely<Database>, input: NewUser): Promise<UserAccount> {
  const existing = await db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (existing !== undefined) throw new FlotillaError('CONFLICT', { detail: `User ${input.username} exists` });
  const row = {
    id: newId('usr'),
    tenant_id: input.tenant.id,
    username: input.username,
    password_hash: await hashPassword(input.password),
    role: input.role,
    created_at: nowIso(),
  };
  await db.insertInto('users').values(row).execute();
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    tenant: input.tenant.name,
    lockedUntil: null,
    createdAt: row.created_at,
  };
}

export async function listUsers(db: Kysely<Database>, tenantId: string): Promise<UserAccount[]> {
  const rows = await db
    .selectFrom('users')
    .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
    .select([
      'users.id',
      'users.username',
      'users.role',
      'users.locked_until',
      'users.created_at',
      'tenants.name as tenant_name',
    ])
    .where('users.tenant_id', '=', tenantId)
    .orderBy('users.username')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    role: r.role,
    tenant: r.tenant_name,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
  }));
}
