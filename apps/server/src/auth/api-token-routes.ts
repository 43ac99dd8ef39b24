import type { FastifyInstance } from 'fastify';
import { CreateApiTokenRequestSchema, FlotillaError, IdParamsSchema } from '@flotilla/protocol';
import type { ApiToken, CreatedApiToken } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { findProject } from '../tenancy/tenant-repo.js';
import { isTenantAdmin } from '../tenancy/principal.js';
import { principalOf } from './auth-plugin.js';
import { createApiToken, listApiTokens, revokeApiToken } from './api-token-repo.js';

/** `POST/GET /api-tokens`, `DELETE /api-tokens/:id`: personal tokens for oneself, service tokens for admins. */
export function apiTokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  app.post('/api-tokens', { config: { permission: 'self:write' } }, async (request, reply): Promise<CreatedApiToken> => {
    const body = parseInput(CreateApiTokenRequestSchema, request.body, 'body');
    const p = principalOf(request);
    if (body.kind === 'service' && !isTenantAdmin(p)) throw new FlotillaError('FORBIDDEN', { detail: 'Only tenant admins create service tokens' });
    if (p.token?.kind === 'service') throw new FlotillaError('FORBIDDEN', { detail: 'A service token cannot create tokens' });
    const project = body.project === undefined ? null : await findProject(db, p.tenantId, body.project);
    if (project === undefined) throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${body.project ?? ''}` });
    // A token never creates a wider one than itself.
    if (p.token !== null && p.token.projectId !== null && p.token.projectId !== project?.id) {
      throw new FlotillaError('FORBIDDEN', { detail: 'This token can only create tokens for its own project' });
    }
    const created = await createApiToken(db, {
      tenantId: p.tenantId,
      userId: p.userId,
      name: body.name,
      kind: body.kind,
      project,
      access: body.access,
      expiresInMs: body.expiresIn,
    });
    const { token: _secret, ...recorded } = created;
    await ctx.audit.record({ ...auditContextOf(request), action: 'api_token.create', objectType: 'api_token', objectId: created.id, change: recorded });
    void reply.status(201);
    return created;
  });

  app.get('/api-tokens', { config: { permission: 'self:read' } }, async (request): Promise<{ items: ApiToken[] }> => {
    const p = principalOf(request);
    return { items: await listApiTokens(db, { tenantId: p.tenantId, userId: p.userId, admin: isTenantAdmin(p) }) };
  });

  app.delete('/api-tokens/:id', { config: { permission: 'self:write' } }, async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const p = principalOf(request);
    if (!(await revokeApiToken(db, { tenantId: p.tenantId, userId: p.userId, admin: isTenantAdmin(p) }, id))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No API token ${id}` });
    }
    // Committed: what the token keeps open (log-follow streams) ends now, not at its next request.
    ctx.credentials.emit('revoked', id);
    await ctx.audit.record({ ...auditContextOf(request), action: 'api_token.revoke', objectType: 'api_token', objectId: id });
    return reply.status(204).send();
  });
  return Promise.resolve();
}
