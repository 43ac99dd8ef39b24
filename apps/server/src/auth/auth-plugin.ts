import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FlotillaError } from '@flotilla/protocol';
import type { Permission } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';
import { authorize } from '../tenancy/authorize.js';
import type { Principal } from '../tenancy/principal.js';
import { selectProject, takeRequestedProject } from '../tenancy/project-resolver.js';
import { requireRouteContracts } from '../tenancy/route-declarations.js';
import { findSessionByToken } from './session-repo.js';
import { checkCsrf, parseCookies, SESSION_COOKIE } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated principal; `null` on public routes. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Set (by `route()`, from a `public` contract) on routes reachable without credentials (login, enrol). */
    public?: boolean;
    /** What the route needs, from its contract (see `tenancy/permissions.ts`); checked once, by the auth plugin. */
    permission?: Permission;
  }
}

/** The principal of an authenticated route (the auth hook guarantees it is set). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new FlotillaError('UNAUTHENTICATED');
  return request.principal;
}

export interface AuthPluginOptions {
  /**
   * Refuse to register an `/api/v1` route that is not registered from its contract in `apiRoutes`
   * (a programming error: the route would be undocumented, and perhaps without an access rule).
   */
  requireDeclarations: boolean;
}

async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1] === undefined)
      throw new FlotillaError('UNAUTHENTICATED', { detail: 'Send Authorization: Bearer <token>' });
    const principal = await findSessionByToken(ctx.store.db, match[1], 'bearer');
    if (principal === undefined)
      throw new FlotillaError('UNAUTHENTICATED', { detail: 'The token is unknown, revoked or expired' });
    return principal;
  }
  const cookies = parseCookies(request.headers.cookie);
  const sessionToken = cookies.get(SESSION_COOKIE);
  if (sessionToken === undefined || sessionToken === '') {
    throw new FlotillaError('UNAUTHENTICATED', {
      detail: 'Send Authorization: Bearer <token> or log in for a session cookie',
    });
  }
  const principal = await findSessionByToken(ctx.store.db, sessionToken, 'cookie');
  if (principal === undefined)
    throw new FlotillaError('UNAUTHENTICATED', { detail: 'The session is unknown or expired' });
  checkCsrf(request, cookies, sessionToken);
  return principal;
}

/**
 * Authenticates every route of the scope it is registered in (bearer token — session or API
 * token — or the session cookie with CSRF protection), except routes with `config.public`, then
 * selects the requested project and checks the route's declared `config.permission`: the single
 * place where rights are decided.
 */
export const authPlugin = fp(
  (app: FastifyInstance, ctx: ServerContext & Partial<AuthPluginOptions>) => {
    app.decorateRequest('principal', null);
    if (ctx.requireDeclarations === true) requireRouteContracts(app);
    app.addHook('onRequest', async (request) => {
      // No matched route (404) or a public one: nothing to authenticate.
      if (request.routeOptions.url === undefined || request.routeOptions.config.public === true) return;
      request.principal = await authenticate(ctx, request);
    });
    app.addHook('preHandler', async (request) => {
      const principal = request.principal;
      if (principal === null) return;
      const requested = takeRequestedProject(request);
      if (requested !== undefined) await selectProject(ctx.store.db, principal, requested);
      const permission = request.routeOptions.config.permission;
      if (permission !== undefined) await authorize(ctx.store.db, principal, permission);
    });
  },
  { name: 'flotilla-auth' },
);
