import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FlotillaError, LoginRequestSchema } from '@flotilla/protocol';
import type { LoginResponse, User } from '@flotilla/protocol';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { principalOf } from './auth-plugin.js';
import { hashPassword, verifyPassword } from './password.js';
import { createSession, deleteSession } from './session-repo.js';
import { findUserByUsername } from './user-repo.js';

/** Login attempts are counted per client address and username, so one user cannot lock out another. */
function loginKey(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | null | undefined;
  const username = typeof body?.username === 'string' ? body.username.slice(0, 128) : '';
  return `${request.ip}|${username}`;
}

/** `POST /auth/login`, `POST /auth/logout`, `GET /auth/me`. */
export async function authRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // A hash to verify against when the user does not exist, so timing does not reveal usernames.
  const decoyHash = await hashPassword('decoy password that matches nothing');

  app.post(
    '/auth/login',
    {
      config: {
        public: true,
        // preHandler: the body is parsed by then, so the key can include the username.
        rateLimit: { max: ctx.options.loginRateLimit, timeWindow: 60_000, hook: 'preHandler', keyGenerator: loginKey },
      },
    },
    async (request): Promise<LoginResponse> => {
      const body = parseInput(LoginRequestSchema, request.body, 'body');
      const user = await findUserByUsername(ctx.store.db, body.username);
      const ok = await verifyPassword(user?.passwordHash ?? decoyHash, body.password);
      if (user === undefined || !ok) throw new FlotillaError('INVALID_CREDENTIALS');
      const session = await createSession(ctx.store.db, user, ctx.options.sessionTtlMs);
      request.log.info({ userId: user.id }, 'user logged in');
      return { token: session.token, user: { id: user.id, username: user.username, role: user.role, tenant: user.tenantName } };
    },
  );

  app.post('/auth/logout', async (request, reply) => {
    await deleteSession(ctx.store.db, principalOf(request).sessionId);
    return reply.status(204).send();
  });

  app.get('/auth/me', (request): User => {
    const p = principalOf(request);
    return { id: p.userId, username: p.username, role: p.role, tenant: p.tenantName };
  });
}
