import type { FastifyInstance } from 'fastify';
import { isPermission } from '@flotilla/protocol';
import type { Permission } from '@flotilla/protocol';

/** One registered route: method and Fastify URL pattern (`/api/v1/jobs/:id`). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  /** The declared `config.permission`; `null` for public routes and routes outside `/api/v1`. */
  readonly permission: Permission | null;
}

/**
 * Records every route the app registers from now on (call it before registering plugins).
 * HEAD routes Fastify adds for each GET are left out: they are implied by the GET.
 */
export function collectRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const declared = (route.config as { permission?: unknown } | undefined)?.permission;
    const permission = isPermission(declared) ? declared : null;
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, permission });
  });
  return routes;
}
