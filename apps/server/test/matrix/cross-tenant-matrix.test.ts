import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { buildMatrixWorld, call, requestFor, TENANT_A_SECRET_VALUE } from './matrix-fixtures.js';
import type { MatrixWorld } from './matrix-fixtures.js';

/*
 * The tenant-isolation matrix, generated from the server's own route table (every route it
 * registered, as the OpenAPI check uses): a route added later is covered automatically, or fails
 * here by name when the matrix cannot build a request for it.
 */

/**
 * Mutating routes a read-only member may use, each with the reason. Everything else that is not
 * GET must answer 403 to a read-only member.
 */
const READ_ONLY_ALLOWED: Record<string, string> = {
  'POST /api/v1/auth/login': 'public: logging in',
  'POST /api/v1/agents/enroll': 'public: the enrolment token is the credential',
  'POST /api/v1/auth/logout': 'ends the caller’s own session',
  'POST /api/v1/api-tokens': 'personal tokens for oneself, never wider than the caller',
  'DELETE /api/v1/api-tokens/:id': 'revokes one of the caller’s own tokens',
  'POST /api/v1/workflows/validate': 'validation only: nothing is stored',
};

/** Routes outside tenancy: no tenant object to find. */
const PUBLIC_ROUTES = new Set(['POST /api/v1/auth/login', 'POST /api/v1/agents/enroll', 'GET /api/v1/openapi.json']);

describe.each(DIALECTS)('cross-tenant matrix [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let db: TestDatabase;
  let t: TestServer;
  let world: MatrixWorld;
  let routes: { method: string; url: string; key: string }[];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: db.url });
    world = await buildMatrixWorld(t.server, t.token);
    routes = t.server.routes
      .filter((r) => r.url.startsWith('/api/v1/'))
      .map((r) => ({ ...r, key: `${r.method} ${r.url}` }))
      .filter((r) => !PUBLIC_ROUTES.has(r.key));
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await db.cleanup();
  });

  /**
   * What tenant B must never see in an answer, leaving out what B itself sent (a problem
   * document may echo the requested id).
   */
  const leaksIn = (text: string, request: { url: string; body?: unknown }): string[] => {
    const sent = `${request.url} ${JSON.stringify(request.body ?? null)}`;
    const secrets: string[] = [
      ...Object.values(world.a).filter((v) => v !== 'A_SECRET'),
      TENANT_A_SECRET_VALUE,
      'a-user',
      'a-agent',
      'a-team',
      'a-token',
    ];
    return secrets.filter((s) => !sent.includes(s) && text.includes(s));
  };

  it('every route with path parameters answers 404 to another tenant, revealing nothing', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.url.includes('/:'))) {
      const request = requestFor(route, world);
      const res = await call(t.server, world.tenantBToken, route.method, request);
      if (res.status !== 404) failures.push(`${route.key} → ${res.status} ${String(res.code)}`);
      const leaked = leaksIn(res.text, request);
      if (leaked.length > 0) failures.push(`${route.key} leaks ${leaked.join(', ')}`);
    }
    expect(failures).toEqual([]);
    expect(routes.some((r) => r.url.includes('/:'))).toBe(true);
  });

  it('every list answers another tenant without tenant A objects', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET' && !r.url.includes('/:'))) {
      const request = requestFor(route, world);
      const res = await call(t.server, world.tenantBToken, 'GET', request);
      if (res.status >= 500 || res.status === 401) failures.push(`${route.key} → ${res.status} ${String(res.code)}`);
      const leaked = leaksIn(res.text, request);
      if (leaked.length > 0) failures.push(`${route.key} leaks ${leaked.join(', ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('the exemption lists name only routes that exist', () => {
    const all = new Set(t.server.routes.map((r) => `${r.method} ${r.url}`));
    for (const key of [...Object.keys(READ_ONLY_ALLOWED), ...PUBLIC_ROUTES]) expect(all, key).toContain(key);
  });

  it('tenant A still has its objects (the 404s were isolation, not breakage)', async () => {
    for (const route of routes.filter((r) => r.method === 'GET' && r.url.includes('/:'))) {
      const res = await call(t.server, t.token, 'GET', requestFor(route, world));
      expect(res.status, `${route.key}: ${res.text}`).toBe(200);
    }
  });

  it('every mutating route answers 403 FORBIDDEN to a read-only member', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'GET' && READ_ONLY_ALLOWED[r.key] === undefined)) {
      const res = await call(t.server, world.readOnlyToken, route.method, requestFor(route, world));
      if (res.status !== 403 || res.code !== 'FORBIDDEN')
        failures.push(`${route.key} → ${res.status} ${String(res.code)}`);
    }
    expect(failures).toEqual([]);
  });
});
