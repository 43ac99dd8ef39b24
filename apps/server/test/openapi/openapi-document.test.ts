import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { apiRoutes, listRoutes, platformRoutes } from '@flotilla/protocol';

const CONTRACTS = [...listRoutes(apiRoutes), ...listRoutes(platformRoutes)].map((r) => r.contract);

describe('OpenAPI 3.1 document', () => {
  let t: TestServer;
  let document: Record<string, any>;
  beforeAll(async () => {
    t = await startTestServer();
    const res = await t.server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    // The document is checked structurally below; `any` keeps the path lookups short.
    document = res.json();
  });
  afterAll(() => t.close());

  it('is served without a token and passes a real OpenAPI 3.1 validator', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator is not a rubber stamp: a document without `info` fails.
    const { info: _info, ...broken } = document;
    expect((await new Validator().validate(broken as never)).valid).toBe(false);
  });

  it('documents every route the server registers, and only those', () => {
    const registered = new Set(t.server.routes.map((r) => `${r.method} ${r.url}`));
    const documented = new Set(CONTRACTS.map((c) => `${c.method} ${c.path}`));
    const missing = [...registered].filter((key) => !documented.has(key)).sort();
    const stale = [...documented].filter((key) => !registered.has(key)).sort();
    // Declare each route named here in packages/protocol/src/api/routes/<area>-routes.ts.
    expect(missing, `routes without a contract: ${missing.join(', ')}`).toEqual([]);
    expect(stale, `contracts the server does not register: ${stale.join(', ')}`).toEqual([]);
    const operations = Object.values(document.paths as Record<string, Record<string, unknown>>).flatMap((item) =>
      Object.keys(item),
    );
    expect(operations).toHaveLength(CONTRACTS.length);
  });

  it('derives schemas from the protocol Zod schemas, with problem details and bearer security', () => {
    const create = document.paths['/api/v1/workflows'].post;
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['document'],
      additionalProperties: false,
    });
    expect(create.responses['201'].content['application/json'].schema.properties).toHaveProperty('version');
    expect(create.responses['409'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(create.responses.default.content).toHaveProperty('application/problem+json');
    expect(document.components.schemas.Problem.properties.code.enum).toContain('WORKFLOW_INVALID');
    expect(document.components.securitySchemes.bearer).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/v1/auth/login'].post.security).toEqual([]);
    const version = document.paths['/api/v1/workflows/{id}/versions/{n}'].get;
    expect(version.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'path:n',
    ]);
    const list = document.paths['/api/v1/workflows'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['limit', 'cursor']);
    // Operations are named as the client calls them, and carry the permission their contract declares.
    expect(document.paths['/api/v1/jobs/{id}'].get).toMatchObject({
      operationId: 'jobs.get',
      'x-permission': 'jobs:read',
    });
    expect(document.paths['/api/v1/auth/login'].post['x-permission']).toBeUndefined();
    const logs = document.paths['/api/v1/jobs/{id}/logs'].get.responses['200'].content;
    expect(Object.keys(logs)).toEqual(['application/json', 'text/event-stream']);
    expect(document.paths['/git/{tenant}/{project}.git/info/refs'].get.security).toEqual([
      { basic: [] },
      { bearer: [] },
    ]);
  });
});
