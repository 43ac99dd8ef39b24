import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { auditContextOf, loginFailureAuditContext } from '../audit/audit-context.js';
import { hashPassword, verifyPassword } from './password.js';
import { createSession, deleteSession } from './session-repo.js';
import { assertNotLocked, recordLoginFailure, recordLoginSuccess } from './lockout.js';
import { clearSessionCookies, setSessionCookies } from './session-cookie.js';
import { findUserByUsername } from './user-repo.js';
import { sessionInfo } from './session-info.js';

/** Login attempts are counted per client address and username, so one user cannot lock out another. */
function loginKey(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | null | undefined;
  const username = typeof body?.username === 'string' ? body.username.slice(0, 128) : '';
  return `login|${normalizeIP(request.ip)}|${username}`;
}

/**
 * ...and per client address alone, so rotating usernames does not buy unlimited attempts (each
 * costs an argon2 check and an audit record). IPv6 addresses count per /64, the block one
 * subscriber gets, as `normalizeIP` masks them.
 */
function loginAddressKey(request: FastifyRequest): string {
  return `login-address|${normalizeIP(request.ip)}`;
}

/** `POST /auth/login`, `POST /auth/logout`, `GET /auth/me`, `GET /auth/session`. */
export async function authRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // A hash to verify against when the user does not exist, so timing does not reveal usernames.
  const decoyHash = await hashPassword('decoy password that matches nothing');
  // A second limiter on the same route: the plugin's route option allows one, and runs it once.
  const addressLimit = app.createRateLimit({
    max: ctx.options.loginAddressRateLimit,
    timeWindow: 60_000,
    keyGenerator: loginAddressKey,
  });
  const limitAddress = async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await addressLimit(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    void reply.header('retry-after', limit.ttlInSeconds);
    throw new FlotillaError('RATE_LIMITED', {
      detail: `Too many login attempts from this address; retry in ${limit.ttlInSeconds} s`,
    });
  };

  route(app, apiRoutes.auth.login, {
    // preHandler: the body is parsed by then, so the key can include the username.
    config: {
      rateLimit: { max: ctx.options.loginRateLimit, timeWindow: 60_000, hook: 'preHandler', keyGenerator: loginKey },
    },
    // onRequest: refused before the body is even read, let alone a password checked or audited.
    onRequest: limitAddress,
    handler: async ({ request, reply, body }) => {
      const user = await findUserByUsername(ctx.store.db, body.username);
      const ok = await verifyPassword(user?.passwordHash ?? decoyHash, body.password);
      if (user !== undefined) {
        try {
          assertNotLocked(user);
        } catch (err) {
          await ctx.audit.record({
            tenantId: user.tenantId,
            actor: { id: 'anonymous', name: user.username },
            source: request.ip,
            action: 'auth.login_locked',
            objectType: 'user',
            objectId: user.id,
            change: { lockedUntil: user.lockedUntil },
          });
          throw err;
        }
      }
      if (user === undefined || !ok) {
        const context = await loginFailureAuditContext(ctx.store.db, {
          username: body.username,
          tenantId: user?.tenantId,
          source: request.ip,
        });
        await ctx.audit.record({
          ...context,
          action: 'auth.login_failed',
          objectType: 'user',
          objectId: user?.id ?? null,
          change: { username: body.username },
        });
        const lockedUntil = user === undefined ? null : await recordLoginFailure(ctx.store.db, user.id);
        if (lockedUntil !== null) {
          await ctx.audit.record({
            ...context,
            action: 'auth.account_locked',
            objectType: 'user',
            objectId: user?.id ?? null,
            change: { lockedUntil },
          });
        }
        throw new FlotillaError('INVALID_CREDENTIALS');
      }
      await recordLoginSuccess(ctx.store.db, user.id);
      const session = await createSession(ctx.store.db, user, ctx.options.sessionTtlMs);
      setSessionCookies(request, reply, session);
      await ctx.audit.record({
        tenantId: user.tenantId,
        actor: { id: user.id, name: user.username },
        source: request.ip,
        action: 'auth.login',
        objectType: 'session',
        objectId: session.id,
        change: { expiresAt: session.expiresAt },
      });
      request.log.info({ userId: user.id }, 'user logged in');
      return {
        token: session.token,
        user: { id: user.id, username: user.username, role: user.role, tenant: user.tenantName },
      };
    },
  });

  route(app, apiRoutes.auth.logout, async ({ request, reply, principal }) => {
    const sessionId = principal.sessionId;
    if (sessionId !== null) {
      await deleteSession(ctx.store.db, sessionId);
      ctx.credentials.emit('revoked', sessionId);
      await ctx.audit.record({
        ...auditContextOf(request),
        action: 'auth.logout',
        objectType: 'session',
        objectId: sessionId,
      });
    }
    clearSessionCookies(reply);
  });

  route(app, apiRoutes.auth.me, ({ principal: p }) => ({
    id: p.userId,
    username: p.username,
    role: p.role,
    tenant: p.tenantName,
  }));

  route(app, apiRoutes.auth.session, ({ principal }) => sessionInfo(ctx.store.db, principal));
}
