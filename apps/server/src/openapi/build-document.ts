import { z } from 'zod';
import { FLOTILLA_VERSION, ProblemSchema } from '@flotilla/protocol';
import type { ResponseDoc, RouteDoc } from './route-doc.js';

type JsonObject = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const PROBLEM_CONTENT = { 'application/problem+json': { schema: PROBLEM_REF } };

/** Zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without the `$schema` marker. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}`. */
function openApiPath(route: RouteDoc): string {
  return route.documentedAs ?? route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(route: RouteDoc, path: string): JsonObject[] {
  const out: JsonObject[] = [];
  const declared =
    route.params === undefined
      ? {}
      : ((jsonSchema(route.params, 'input').properties ?? {}) as Record<string, JsonObject>);
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (name !== undefined)
      out.push({ name, in: 'path', required: true, schema: declared[name] ?? { type: 'string' } });
  }
  if (route.query !== undefined) {
    const schema = jsonSchema(route.query, 'input');
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonObject>)) {
      out.push({ name, in: 'query', required: required.has(name), schema: property });
    }
  }
  return out;
}

function response(status: number, doc: ResponseDoc): JsonObject {
  if (doc === null) return { description: status === 204 ? 'No content' : 'No body' };
  if (doc === 'problem') return { description: 'Problem details (RFC 9457)', content: PROBLEM_CONTENT };
  if (doc instanceof z.ZodType)
    return { description: 'Success', content: { 'application/json': { schema: jsonSchema(doc, 'output') } } };
  return {
    description: doc.description,
    content: {
      [doc.contentType]: { schema: doc.schema === undefined ? { type: 'string' } : jsonSchema(doc.schema, 'output') },
    },
  };
}

function operation(route: RouteDoc, path: string): JsonObject {
  const responses: JsonObject = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = response(Number(status), doc);
  // Every operation can fail with a problem document (400 validation, 401, 404, 500 …).
  responses.default = {
    description: 'Problem details (RFC 9457): `code` is a stable catalogue code',
    content: PROBLEM_CONTENT,
  };
  const params = parameters(route, path);
  return {
    operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    tags: [route.tag],
    ...(route.public === true
      ? { security: [] }
      : route.security === undefined
        ? {}
        : { security: route.security.map((name) => ({ [name]: [] })) }),
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(route.body === undefined
      ? {}
      : {
          requestBody: {
            required: route.bodyOptional !== true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }),
    responses,
  };
}

/** Builds the OpenAPI 3.1 document of the given routes. */
export function buildOpenApiDocument(routes: readonly RouteDoc[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = openApiPath(route);
    const item = (paths[path] ??= {});
    item[route.method.toLowerCase()] = operation(route, path);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Flotilla control plane API',
      version: FLOTILLA_VERSION,
      description: 'REST API of the Flotilla control plane. See docs/api.md for authentication, pagination and errors.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A session token from POST /api/v1/auth/login or an API token',
        },
        basic: { type: 'http', scheme: 'basic', description: 'Git over HTTP: any username, a token as the password' },
      },
    },
  };
}
