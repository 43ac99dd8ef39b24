import type { FastifyInstance } from 'fastify';
import { isPermission } from './permissions.js';

/**
 * Makes a missing access rule a startup error: from now on, registering an `/api/v1` route that
 * declares neither `config.permission` (one of `permissionCatalogue`) nor `config.public` throws,
 * so the server cannot start with a route nobody decided the rights of.
 */
export function requirePermissionDeclarations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1/') || route.method === 'HEAD') return;
    const config = route.config as { public?: unknown; permission?: unknown } | undefined;
    if (config?.public === true) return;
    if (!isPermission(config?.permission)) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(`route ${methods} ${route.url} declares no valid config.permission (or config.public: true)`);
    }
  });
}
