import type { FastifyInstance } from 'fastify';
import { CreateEnrollmentTokenRequestSchema, FlotillaError, IdParamsSchema, PageQuerySchema } from '@flotilla/protocol';
import type { CreatedEnrollmentToken, EnrollmentToken, Page } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf } from '../audit/audit-context.js';
import { createEnrollmentToken, listEnrollmentTokens, revokeEnrollmentToken, toEnrollmentToken } from './enrollment-token-repo.js';

/** `POST /enrollment-tokens` (secret shown once), `GET /enrollment-tokens`, `DELETE /enrollment-tokens/:id`. */
export function enrollmentTokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.post('/enrollment-tokens', { config: { permission: 'agents:write' } }, async (request, reply) => {
    const p = principalOf(request);
    const body = parseInput(CreateEnrollmentTokenRequestSchema, request.body ?? {}, 'body');
    const { row, token } = await createEnrollmentToken(ctx.store.db, p, body, p.userId);
    await ctx.audit.record({ ...auditContextOf(request), action: 'enrollment_token.create', objectType: 'enrollment_token', objectId: row.id, change: { uses: row.uses, policy: row.policy, expiresAt: row.expires_at, labels: JSON.parse(row.labels) as unknown } });
    request.log.info({ tokenId: row.id, uses: row.uses, policy: row.policy }, 'enrollment token created');
    const created: CreatedEnrollmentToken = { ...toEnrollmentToken(row), token };
    return reply.status(201).send(created);
  });

  app.get('/enrollment-tokens', { config: { permission: 'agents:read' } }, async (request): Promise<Page<EnrollmentToken>> => {
    const query = parseInput(PageQuerySchema, request.query, 'query');
    return listEnrollmentTokens(ctx.store.db, principalOf(request), query);
  });

  app.delete('/enrollment-tokens/:id', { config: { permission: 'agents:write' } }, async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    if (!(await revokeEnrollmentToken(ctx.store.db, principalOf(request), id))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No enrollment token ${id}` });
    }
    await ctx.audit.record({ ...auditContextOf(request), action: 'enrollment_token.revoke', objectType: 'enrollment_token', objectId: id, change: { revoked: true } });
    request.log.info({ tokenId: id }, 'enrollment token revoked');
    return reply.status(204).send();
  });
  return Promise.resolve();
}
