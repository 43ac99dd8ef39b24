import type { FastifyInstance } from 'fastify';
import { CreateApiTokenRequestSchema, FlotillaError, IdParamsSchema } from '@flotilla/protocol';
import type { ApiToken, CreatedApiToken } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { findProject } from '../tenancy/tenant-repo.js';
import { isTenantAdmin } from '../tenancy/principal.js';
import type { Principal } from '../tenancy/principal.js';
import { isoAfter } from '../store/time.js';
import { principalOf } from './auth-plugin.js';
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

  app.post('/api-tokens', { config: { permission: 'self:write' } }, async (request, reply): Promise<CreatedApiToken> => {
    const body = parseInput(CreateApiTokenRequestSchema, request.body, 'body');
    const p = principalOf(request);
    const project = body.project === undefined ? null : await findProject(db, p.tenantId, body.project);
    if (project === undefined) throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${body.project ?? ''}` });
    const requested = { kind: body.kind, project, access: body.access, expiresAt: body.expiresIn === undefined ? null : isoAfter(body.expiresIn) };
    assertNoWiderToken(p, requested);
    const created = await createApiToken(db, { tenantId: p.tenantId, userId: p.userId, name: body.name, ...requested });
    const { token: _secret, ...recorded } = created;
    await ctx.audit.record({ ...auditContextOf(request), action: 'api_token.create', objectType: 'api_token', objectId: created.id, change: recorded });
    void reply.status(201);
    return created;
  });

  app.get('/api-tokens', { config: { permission: 'self:read' } }, async (request): Promise<{ items: ApiToken[] }> => {
    const p = principalOf(request);
    return { items: await listApiTokens(db, tokenManager(p)) };
  });

  app.delete('/api-tokens/:id', { config: { permission: 'self:write' } }, async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const p = principalOf(request);
    if (!(await revokeApiToken(db, tokenManager(p), id))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No API token ${id}` });
    }
    // Committed: what the token keeps open (log-follow streams) ends now, not at its next request.
    ctx.credentials.emit('revoked', id);
    await ctx.audit.record({ ...auditContextOf(request), action: 'api_token.revoke', objectType: 'api_token', objectId: id });
    return reply.status(204).send();
  });
  return Promise.resolve();
}
