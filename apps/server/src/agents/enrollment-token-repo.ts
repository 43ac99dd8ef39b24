import type { Kysely, Selectable } from 'kysely';
import type { EnrollmentToken, EnrollmentPolicy, Labels, Page } from '@flotilla/protocol';
import { newestFirst, toPage } from '../store/cursor.js';
import { hashSecret, newId, newSecret } from '../store/ids.js';
import { isoAfter, nowIso } from '../store/time.js';
import type { Database, EnrollmentTokenTable } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

export type EnrollmentTokenRow = Selectable<EnrollmentTokenTable>;

/** A validated request to create a token (defaults already applied by the schema). */
export interface NewEnrollmentToken {
  uses: number;
  expiresIn: number;
  labels: Labels;
  policy: EnrollmentPolicy;
}

/** Creates a token; the clear `token` is returned here once and stored only as a hash. */
export async function createEnrollmentToken(
  db: Kysely<Database>,
  scope: Scope,
  request: NewEnrollmentToken,
  createdBy: string | null,
): Promise<{ row: EnrollmentTokenRow; token: string }> {
  const token = newSecret('flt_e');
  const row: EnrollmentTokenRow = {
    id: newId('tok'),
    tenant_id: scope.tenantId,
    project_id: scope.projectId,
    token_hash: hashSecret(token),
    uses: request.uses,
    uses_left: request.uses,
    expires_at: isoAfter(request.expiresIn),
    labels: JSON.stringify(request.labels),
    policy: request.policy,
    revoked: 0,
    created_by: createdBy,
    created_at: nowIso(),
  };
  await db.insertInto('enrollment_tokens').values(row).execute();
  return { row, token };
}

/** Newest first, cursor-paginated. */
export async function listEnrollmentTokens(
  db: Kysely<Database>,
  scope: Scope,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<EnrollmentToken>> {
  const query = db
    .selectFrom('enrollment_tokens')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId);
  const rows = await newestFirst(query, page).execute();
  return toPage(rows, page.limit, toEnrollmentToken);
}

/** Revokes a token; `false` when no such token exists in the scope. */
export async function revokeEnrollmentToken(db: Kysely<Database>, scope: Scope, id: string): Promise<boolean> {
  const result = await db
    .updateTable('enrollment_tokens')
    .set({ revoked: 1 })
    .where('id', '=', id)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Spends one use of a token, atomically: the conditional update succeeds for exactly as many
 * callers as there are uses left, however many enrol at once. Returns `undefined` when the
 * token is unknown, revoked, expired or used up (the caller does not learn which).
 */
export async function consumeEnrollmentToken(
  db: Kysely<Database>,
  secret: string,
): Promise<EnrollmentTokenRow | undefined> {
  const tokenHash = hashSecret(secret);
  const result = await db
    .updateTable('enrollment_tokens')
    .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
    .where('token_hash', '=', tokenHash)
    .where('revoked', '=', 0)
    .where('uses_left', '>', 0)
    .where('expires_at', '>', nowIso())
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return undefined;
  return db.selectFrom('enrollment_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function toEnrollmentToken(row: EnrollmentTokenRow): EnrollmentToken {
  return {
    id: row.id,
    uses: row.uses,
    usesLeft: row.uses_left,
    expiresAt: row.expires_at,
    labels: JSON.parse(row.labels) as Labels,
    policy: row.policy,
    createdAt: row.created_at,
    revoked: row.revoked !== 0,
  };
}
