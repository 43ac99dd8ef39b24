import type { Kysely, Selectable } from 'kysely';
import type { ApiToken, CreatedApiToken } from '@flotilla/protocol';
import { hashSecret, newId, newSecret } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { ApiTokenTable, Database } from '../store/schema.js';
import type { Principal } from '../tenancy/principal.js';

/** Every API token starts with this, so the auth hook knows which table to look in. */
export const API_TOKEN_PREFIX = 'flt_p_';

type ApiTokenRow = Selectable<ApiTokenTable> & { project_name: string | null };

function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    project: row.project_name,
    access: row.access,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revoked: row.revoked_at !== null,
    createdAt: row.created_at,
  };
}

export interface NewApiToken {
  tenantId: string;
  userId: string;
  name: string;
  kind: 'personal' | 'service';
  project: { id: string; name: string } | null;
  access: 'full' | 'read-only';
  /** RFC 3339 UTC, or `null`: never expires. */
  expiresAt: string | null;
}

/** Creates a token; the secret is returned once and only its SHA-256 is stored. */
export async function createApiToken(db: Kysely<Database>, input: NewApiToken): Promise<CreatedApiToken> {
  const token = newSecret('flt_p');
  const row: ApiTokenRow = {
    id: newId('apt'),
    tenant_id: input.tenantId,
    user_id: input.userId,
    name: input.name,
    kind: input.kind,
    token_hash: hashSecret(token),
    project_id: input.project?.id ?? null,
    access: input.access,
    expires_at: input.expiresAt,
    last_used_at: null,
    revoked_at: null,
    created_at: nowIso(),
    project_name: input.project?.name ?? null,
  };
  const { project_name: _projectName, ...values } = row;
  await db.insertInto('api_tokens').values(values).execute();
  return { ...toApiToken(row), token };
}

function tokensOf(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('api_tokens')
    .leftJoin('projects', 'projects.id', 'api_tokens.project_id')
    .selectAll('api_tokens')
    .select('projects.name as project_name')
    .where('api_tokens.tenant_id', '=', tenantId);
}

/** Whose tokens a caller may list and revoke. */
export interface TokenManager {
  tenantId: string;
  userId: string;
  /** A tenant admin manages every token of the tenant. */
  admin: boolean;
  /** Set when the caller is a project-scoped token: it manages only its user's tokens of that project. */
  projectId: string | null;
}

/**
 * Tenant admins see every token of the tenant; others only their own personal tokens, and a
 * project-scoped token only those of its project.
 */
export async function listApiTokens(db: Kysely<Database>, who: TokenManager): Promise<ApiToken[]> {
  let query = tokensOf(db, who.tenantId);
  if (!who.admin) query = query.where('api_tokens.user_id', '=', who.userId).where('api_tokens.kind', '=', 'personal');
  if (who.projectId !== null) query = query.where('api_tokens.project_id', '=', who.projectId);
  const rows = await query.orderBy('api_tokens.created_at', 'desc').execute();
  return rows.map(toApiToken);
}

/** Revokes a token visible to `who` (same rule as listing); `false` when there is none. */
export async function revokeApiToken(db: Kysely<Database>, who: TokenManager, id: string): Promise<boolean> {
  let query = db
    .updateTable('api_tokens')
    .set({ revoked_at: nowIso() })
    .where('id', '=', id)
    .where('tenant_id', '=', who.tenantId)
    .where('revoked_at', 'is', null);
  if (!who.admin) query = query.where('user_id', '=', who.userId).where('kind', '=', 'personal');
  if (who.projectId !== null) query = query.where('project_id', '=', who.projectId);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Resolves an API token; expired and revoked ones resolve to `undefined` (checked on every
 * request, so revocation takes effect on the next one). Records last use.
 */
export async function findApiToken(db: Kysely<Database>, token: string): Promise<Principal | undefined> {
  const now = nowIso();
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .innerJoin('tenants', 'tenants.id', 'api_tokens.tenant_id')
    .innerJoin('projects', (join) =>
      join.onRef('projects.tenant_id', '=', 'tenants.id').on('projects.name', '=', 'default'),
    )
    .leftJoin('projects as scoped', 'scoped.id', 'api_tokens.project_id')
    .select([
      'api_tokens.id',
      'api_tokens.kind',
      'api_tokens.name',
      'api_tokens.project_id',
      'api_tokens.access',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'tenants.id as tenant_id',
      'tenants.name as tenant_name',
      'projects.id as default_project_id',
      'scoped.name as scoped_project_name',
    ])
    .where('api_tokens.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now))
    return undefined;
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
  const service = row.kind === 'service';
  return {
    sessionId: null,
    token: {
      tokenId: row.id,
      kind: row.kind,
      projectId: row.project_id,
      access: row.access,
      expiresAt: row.expires_at,
    },
    // A service token acts as itself, not as the admin who created it.
    userId: service ? row.id : row.user_id,
    username: service ? `service:${row.name}` : row.username,
    role: service ? 'member' : row.role,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    projectId: row.project_id ?? row.default_project_id,
    projectName: row.scoped_project_name ?? 'default',
    via: 'bearer',
  };
}

/** When a valid API token expires (`null`: never); `undefined` once it is revoked, expired or gone. */
export async function apiTokenExpiry(db: Kysely<Database>, tokenId: string): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['expires_at', 'revoked_at'])
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= nowIso()))
    return undefined;
  return row.expires_at;
}
