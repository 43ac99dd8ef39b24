import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FlotillaError } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';
import { findSessionByToken } from './session-repo.js';
import type { SessionPrincipal } from './session-repo.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated principal; `null` on public routes. */
    principal: SessionPrincipal | null;
  }
  interface FastifyContextConfig {
    /** Set on routes reachable without a bearer token (login, enrol). */
    public?: boolean;
  }
}

/** The principal of an authenticated route (the auth hook guarantees it is set). */
export function principalOf(request: FastifyRequest): SessionPrincipal {
  if (request.principal === null) throw new FlotillaError('UNAUTHENTICATED');
  return request.principal;
}

/**
 * Requires `Authorization: Bearer <token>` on every route of the scope it is registered in,
 * except routes with `config: { public: true }`. Unknown and expired tokens get the same 401.
 */
export const authPlugin = fp(
  (app: FastifyInstance, ctx: ServerContext) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public === true) return;
      const header = request.headers.authorization;
      const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
      if (match?.[1] === undefined) throw new FlotillaError('UNAUTHENTICATED', { detail: 'Send Authorization: Bearer <token>' });
      const principal = await findSessionByToken(ctx.store.db, match[1]);
      if (principal === undefined) throw new FlotillaError('UNAUTHENTICATED', { detail: 'The token is unknown or expired' });
      request.principal = principal;
    });
  },
  { name: 'flotilla-auth' },
);
