import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { isTenantAdmin } from '../tenancy/principal.js';
import type { Database } from '../store/schema.js';
import type { AuditEntry } from './audit-log.js';

/** Tenant, actor and source of an authenticated request, to spread into an `AuditEntry`. */
export function auditContextOf(request: FastifyRequest): Pick<AuditEntry, 'tenantId' | 'actor' | 'source'> {
  const p = principalOf(request);
  return { tenantId: p.tenantId, actor: { id: p.userId, name: p.username }, source: request.ip };
}

/** Reading the audit trail is for tenant admins and the server owner. */
export function requireAuditReader(request: FastifyRequest): string {
  const p = principalOf(request);
  // Also declared as `audit:read` on the routes; checked here too so the rule holds wherever these helpers are used.
  if (!isTenantAdmin(p)) throw new FlotillaError('FORBIDDEN', { detail: 'Only tenant admins can read the audit log' });
  return p.tenantId;
}

/** Tenant, actor and source for an event an agent caused (enrolment): the agent acts for itself. */
export async function agentAuditContext(
  db: Kysely<Database>,
  agentId: string,
  source: string,
): Promise<Pick<AuditEntry, 'tenantId' | 'actor' | 'source'>> {
  const agent = await db
    .selectFrom('agents')
    .select(['tenant_id', 'name'])
    .where('id', '=', agentId)
    .executeTakeFirstOrThrow();
  return { tenantId: agent.tenant_id, actor: { id: `agent:${agentId}`, name: agent.name }, source };
}

/**
 * Context of a failed login: the attempted user's tenant, or the `default` tenant when the
 * username does not exist (so the server owner sees guessing attempts too).
 */
export async function loginFailureAuditContext(
  db: Kysely<Database>,
  attempt: { username: string; tenantId: string | undefined; source: string },
): Promise<Pick<AuditEntry, 'tenantId' | 'actor' | 'source'>> {
  const tenantId =
    attempt.tenantId ??
    (await db.selectFrom('tenants').select('id').where('name', '=', 'default').executeTakeFirstOrThrow()).id;
  return { tenantId, actor: { id: 'anonymous', name: attempt.username.slice(0, 128) }, source: attempt.source };
}
