import type { FastifyInstance } from 'fastify';
import { apiRoutes, listRoutes, platformRoutes } from '@flotilla/protocol';
import { route } from '../http/contract-route.js';
import { buildOpenApiDocument } from './build-document.js';

/** `GET /openapi.json` (public): the OpenAPI 3.1 document, built once from the route contracts. */
export function openApiRoutes(app: FastifyInstance): Promise<void> {
  let document: Record<string, unknown> | undefined;
  route(
    app,
    apiRoutes.meta.openapi,
    () => (document ??= buildOpenApiDocument([...listRoutes(apiRoutes), ...listRoutes(platformRoutes)])),
  );
  return Promise.resolve();
}
