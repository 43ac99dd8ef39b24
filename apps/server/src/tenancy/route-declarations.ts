import type { FastifyInstance } from 'fastify';
import { apiRoutes, listRoutes } from '@flotilla/protocol';

/** Every contract of the `/api/v1` table. */
const API_CONTRACTS = new Set(listRoutes(apiRoutes).map((r) => r.contract));

/**
 * Makes an `/api/v1` route outside the contract table a startup error: from now on, registering
 * one that was not registered by `route()` from its contract in `apiRoutes` (whose `permission`
 * is the route's access rule) throws, naming it. So the server cannot start with a route that is
 * not documented, not in the client, or that nobody decided the rights of.
 */
export function requireRouteContracts(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/') || route.method === 'HEAD') return;
    const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
    const contract = route.config?.contract;
    const declared =
      contract !== undefined &&
      API_CONTRACTS.has(contract) &&
      contract.method === methods &&
      contract.path === route.url;
    const access =
      contract?.permission === 'public'
        ? route.config?.public === true
        : route.config?.permission === contract?.permission;
    if (!declared || !access) {
      throw new Error(
        `route ${methods} ${route.url} is not registered from its contract in apiRoutes (packages/protocol/src/api/routes): register it with route(app, contract, handler)`,
      );
    }
  });
}
