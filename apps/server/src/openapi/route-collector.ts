import type { FastifyInstance } from 'fastify';

/** One registered route: method and Fastify URL pattern (`/api/v1/jobs/:id`). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

/**
 * Records every route the app registers from now on (call it before registering plugins).
 * HEAD routes Fastify adds for each GET are left out: they are implied by the GET.
 */
export function collectRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  return routes;
}
