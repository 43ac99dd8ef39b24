import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf } from '../audit/audit-context.js';
import {
  createEnrollmentToken,
  listEnrollmentTokens,
  revokeEnrollmentToken,
  toEnrollmentToken,
} from './enrollment-token-repo.js';

const tokens = apiRoutes.enrollmentTokens;

/** `POST /enrollment-tokens` (secret shown once), `GET /enrollment-tokens`, `DELETE /enrollment-tokens/:id`. */
export function enrollmentTokenRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  route(app, tokens.create, async ({ request, principal, body }) => {
    const { row, token } = await createEnrollmentToken(ctx.store.db, principal, body, principal.userId);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'enrollment_token.create',
      objectType: 'enrollment_token',
      objectId: row.id,
      change: {
        uses: row.uses,
        policy: row.policy,
        expiresAt: row.expires_at,
        labels: JSON.parse(row.labels) as unknown,
      },
    });
    request.log.info({ tokenId: row.id, uses: row.uses, policy: row.policy }, 'enrollment token created');
    return { ...toEnrollmentToken(row), token };
  });

  route(app, tokens.list, ({ principal, query }) => listEnrollmentTokens(ctx.store.db, principal, query));

  route(app, tokens.revoke, async ({ request, principal, params: { id } }) => {
    if (!(await revokeEnrollmentToken(ctx.store.db, principal, id))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No enrollment token ${id}` });
    }
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'enrollment_token.revoke',
      objectType: 'enrollment_token',
      objectId: id,
      change: { revoked: true },
    });
    request.log.info({ tokenId: id }, 'enrollment token revoked');
  });
  return Promise.resolve();
}
