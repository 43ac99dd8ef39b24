import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { findProject } from '../tenancy/tenant-repo.js';
import { isTenantAdmin } from '../tenancy/principal.js';
import type { Principal } from '../tenancy/principal.js';
import { isoAfter } from '../store/time.js';
import { createApiToken, listApiTokens, revokeApiToken } from './api-token-repo.js';
import type { TokenManager } from './api-token-repo.js';
import { assertNoWiderToken } from './new-token-scope.js';

/** Whose tokens `p` lists and revokes (see `TokenManager`). */
function tokenManager(p: Principal): TokenManager {
  return { tenantId: p.tenantId, userId: p.userId, admin: isTenantAdmin(p), projectId: p.token?.projectId ?? null };
}

/** `POST/GET /api-tokens`, `DELETE /api-tokens/:id`: personal tokens for oneself, service tokens for admins. */
export function apiTokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  route(app, apiRoutes.apiTokens.create, async ({ request, principal: p, body }) => {
    const project = body.project === undefined ? null : await findProject(db, p.tenantId, body.project);
    if (project === undefined)
      throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${body.project ?? ''}` });
    const requested = {
      kind: body.kind,
      project,
      access: body.access,
      expiresAt: body.expiresIn === undefined ? null : isoAfter(body.expiresIn),
    };
    assertNoWiderToken(p, requested);
    const created = await createApiToken(db, { tenantId: p.tenantId, userId: p.userId, name: body.name, ...requested });
    const { token: _secret, ...recorded } = created;
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'api_token.create',
      objectType: 'api_token',
      objectId: created.id,
      change: recorded,
    });
    return created;
  });

  route(app, apiRoutes.apiTokens.list, async ({ principal }) => ({
    items: await listApiTokens(db, tokenManager(principal)),
  }));

  route(app, apiRoutes.apiTokens.revoke, async ({ request, principal, params: { id } }) => {
    if (!(await revokeApiToken(db, tokenManager(principal), id))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No API token ${id}` });
    }
    // Committed: what the token keeps open (log-follow streams) ends now, not at its next request.
    ctx.credentials.emit('revoked', id);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'api_token.revoke',
      objectType: 'api_token',
      objectId: id,
    });
  });
  return Promise.resolve();
}
