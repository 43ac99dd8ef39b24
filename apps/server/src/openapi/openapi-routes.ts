import type { FastifyInstance } from 'fastify';
import { buildOpenApiDocument } from './build-document.js';
import { ROUTE_DOCS } from './route-docs.js';

/** `GET /openapi.json` (public): the OpenAPI 3.1 document, built once from the route descriptions. */
export function openApiRoutes(app: FastifyInstance): Promise<void> {
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', { config: { public: true } }, () => (document ??= buildOpenApiDocument(ROUTE_DOCS)));
  return Promise.resolve();
}
