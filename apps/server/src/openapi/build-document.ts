import { z } from 'zod';
import { FLOTILLA_VERSION, isJsonResponse, ProblemSchema } from '@flotilla/protocol';
import type { AnyRouteContract, NamedRoute, ResponseSpec } from '@flotilla/protocol';

type JsonObject = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const PROBLEM_CONTENT = { 'application/problem+json': { schema: PROBLEM_REF } };

/** Zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without the `$schema` marker. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}`; a wildcard route shows the path it documents. */
export function openApiPath(contract: AnyRouteContract): string {
  return contract.documentedAs ?? contract.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(contract: AnyRouteContract): JsonObject[] {
  const declared =
    contract.params === undefined
      ? {}
      : ((jsonSchema(contract.params, 'input').properties ?? {}) as Record<string, JsonObject>);
  // From the documented path: a wildcard route (`/git/*`) documents the parameters of its `documentedAs`.
  const out: JsonObject[] = [...openApiPath(contract).matchAll(/\{([^}]+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    schema: declared[name] ?? { type: 'string' },
  }));
  if (contract.query !== undefined) {
    const schema = jsonSchema(contract.query, 'input');
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonObject>)) {
      out.push({ name, in: 'query', required: required.has(name), schema: property });
    }
  }
  return out;
}

function response(spec: ResponseSpec): JsonObject {
  if (isJsonResponse(spec))
    return { description: 'Success', content: { 'application/json': { schema: jsonSchema(spec, 'output') } } };
  switch (spec.kind) {
    case 'empty':
      return { description: spec.description };
    case 'problem':
      return { description: 'Problem details (RFC 9457)', content: PROBLEM_CONTENT };
    case 'media':
      return {
        description: spec.description,
        content: {
          ...(spec.json === undefined ? {} : { 'application/json': { schema: jsonSchema(spec.json, 'output') } }),
          [spec.contentType]: { schema: { type: 'string' } },
        },
      };
    default: {
      const never: never = spec;
      throw new Error(`unknown response kind ${String(never)}`);
    }
  }
}

function security(contract: AnyRouteContract): JsonObject {
  if (contract.security !== undefined) return { security: contract.security.map((name) => ({ [name]: [] })) };
  return contract.permission === 'public' ? { security: [] } : {};
}

function operation({ name, contract }: NamedRoute): JsonObject {
  const responses: JsonObject = {};
  for (const [status, spec] of Object.entries(contract.responses)) responses[status] = response(spec);
  // Every operation can fail with a problem document (400 validation, 401, 404, 500 …).
  responses.default = {
    description: 'Problem details (RFC 9457): `code` is a stable catalogue code',
    content: PROBLEM_CONTENT,
  };
  const params = parameters(contract);
  return {
    // The contract's name in the table: `client.api.jobs.get` is operation `jobs.get`.
    operationId: name,
    summary: contract.summary,
    tags: [contract.tag],
    ...(contract.permission === 'public' ? {} : { 'x-permission': contract.permission }),
    ...security(contract),
    ...(params.length === 0 ? {} : { parameters: params }),
    ...(contract.body === undefined
      ? {}
      : {
          requestBody: {
            required: !contract.bodyOptional,
            content: { 'application/json': { schema: jsonSchema(contract.body, 'input') } },
          },
        }),
    responses,
  };
}

/** Builds the OpenAPI 3.1 document of the given route contracts. */
export function buildOpenApiDocument(routes: readonly NamedRoute[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const item = (paths[openApiPath(route.contract)] ??= {});
    item[route.contract.method.toLowerCase()] = operation(route);
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
