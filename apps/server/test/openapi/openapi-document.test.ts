import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { ROUTE_DOCS } from '../../src/openapi/route-docs.js';

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
    const documented = new Set(ROUTE_DOCS.map((r) => `${r.method} ${r.path}`));
    const missing = [...registered].filter((key) => !documented.has(key)).sort();
    const stale = [...documented].filter((key) => !registered.has(key)).sort();
    // Add a line to apps/server/src/openapi/areas/<area>-docs.ts for each route named here.
    expect(missing, `routes missing from the OpenAPI route docs: ${missing.join(', ')}`).toEqual([]);
    expect(stale, `documented routes the server does not register: ${stale.join(', ')}`).toEqual([]);
    const operations = Object.values(document.paths as Record<string, Record<string, unknown>>).flatMap((item) =>
      Object.keys(item),
    );
    expect(operations).toHaveLength(ROUTE_DOCS.length);
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
    expect(document.paths['/git/{tenant}/{project}.git/info/refs'].get.security).toEqual([
      { basic: [] },
      { bearer: [] },
    ]);
  });
});
