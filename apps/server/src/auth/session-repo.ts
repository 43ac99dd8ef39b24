import type { Kysely } from 'kysely';
import { hashSecret, newId, newSecret } from '../store/ids.js';
import { isoAfter, nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { Principal } from '../tenancy/principal.js';
import { API_TOKEN_PREFIX, findApiToken } from './api-token-repo.js';

/** Who a bearer token or session cookie belongs to (kept under this name for existing callers). */
export type SessionPrincipal = Principal;

/** Creates a session and returns its bearer token (the only time the secret exists in clear). */
export async function createSession(
  db: Kysely<Database>,
  user: { id: string; tenantId: string },
  ttlMs: number,
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = newSecret('flt_s');
  const id = newId('ses');
  const expiresAt = isoAfter(ttlMs);
  await db
    .insertInto('sessions')
    .values({
      id,
      user_id: user.id,
      tenant_id: user.tenantId,
      token_hash: hashSecret(token),
      kind: 'session',
      created_at: nowIso(),
      expires_at: expiresAt,
    })
    .execute();
  return { id, token, expiresAt };
}

/**
 * Resolves a session token or an API token (`flt_p_…`) to its principal, in the tenant's
 * `default` project (or the token's project). Unknown, expired and revoked tokens resolve to
 * `undefined`.
 */
export async function findSessionByToken(
  db: Kysely<Database>,
  token: string,
  via: Principal['via'] = 'bearer',
): Promise<Principal | undefined> {
  if (token.startsWith(API_TOKEN_PREFIX)) return via === 'bearer' ? findApiToken(db, token) : undefined;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('tenants', 'tenants.id', 'sessions.tenant_id')
    .innerJoin('projects', (join) =>
      join.onRef('projects.tenant_id', '=', 'tenants.id').on('projects.name', '=', 'default'),
    )
    .select([
      'sessions.id as session_id',
      'users.id as user_id',
      'users.username',
      'users.role',
      'tenants.id as tenant_id',
      'tenants.name as tenant_name',
      'projects.id as project_id',
    ])
    .where('sessions.token_hash', '=', hashSecret(token))
    .where('sessions.expires_at', '>', nowIso())
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : {
        sessionId: row.session_id,
        token: null,
        userId: row.user_id,
        username: row.username,
        role: row.role,
        tenantId: row.tenant_id,
        tenantName: row.tenant_name,
        projectId: row.project_id,
        projectName: 'default',
        via,
      };
}

export async function deleteSession(db: Kysely<Database>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** When a live session expires; `undefined` once it is gone (logged out) or expired. */
export async function sessionExpiry(db: Kysely<Database>, sessionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('sessions')
    .select('expires_at')
    .where('id', '=', sessionId)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  return row?.expires_at;
}
