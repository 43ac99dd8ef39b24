import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  apiRoutes,
  isJsonResponse,
  listRoutes,
  pathParameters,
  PERMISSIONS,
  platformRoutes,
  routePath,
} from '@flotilla/protocol';

const api = listRoutes(apiRoutes);
const all = [...api, ...listRoutes(platformRoutes)];

/** The keys a schema's object shape declares (params schemas are objects). */
function shapeKeys(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : [];
}

describe('the route contract table', () => {
  it('declares every route once: no method and path twice, no name twice', () => {
    const keys = all.map((r) => `${r.contract.method} ${r.contract.path}`);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    const names = all.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(api.every((r) => r.contract.path.startsWith('/api/v1/'))).toBe(true);
    expect(listRoutes(platformRoutes).every((r) => !r.contract.path.startsWith('/api/v1/'))).toBe(true);
  });

  it('names each path parameter in its params schema, and nothing else', () => {
    const mismatched = all
      .filter((r) => pathParameters(r.contract.path).sort().join() !== shapeKeys(r.contract.params).join())
      .map((r) => `${r.name}: path ${r.contract.path}, params [${shapeKeys(r.contract.params).join(', ')}]`);
    expect(mismatched).toEqual([]);
  });

  it('gives every route a success response and an access rule', () => {
    const noSuccess = all
      .filter((r) => !Object.keys(r.contract.responses).some((s) => /^[12]\d\d$/.test(s)))
      .map((r) => r.name);
    expect(noSuccess).toEqual([]);
    const allowed = new Set<string>([...PERMISSIONS, 'public']);
    expect(all.filter((r) => !allowed.has(r.contract.permission)).map((r) => r.name)).toEqual([]);
    // Only login, enrolment and the document itself are reachable without a token under /api/v1.
    expect(api.filter((r) => r.contract.permission === 'public').map((r) => r.name)).toEqual([
      'auth.login',
      'agents.enroll',
      'meta.openapi',
    ]);
  });

  it('declares a body only where the method carries one, and JSON bodies as objects', () => {
    expect(
      all
        .filter((r) => r.contract.body !== undefined && ['GET', 'DELETE'].includes(r.contract.method))
        .map((r) => r.name),
    ).toEqual([]);
    // Objects, so a later field can be added without breaking a client.
    expect(
      all.filter((r) => r.contract.body !== undefined && !(r.contract.body instanceof z.ZodObject)).map((r) => r.name),
    ).toEqual([]);
    expect(all.filter((r) => Object.values(r.contract.responses).some(isJsonResponse)).length).toBeGreaterThan(40);
  });

  it('builds a route path with each parameter percent-encoded, and refuses a missing one', () => {
    expect(routePath(apiRoutes.workflows.version, { id: 'wfl 1/2', n: 3 })).toBe(
      '/api/v1/workflows/wfl%201%2F2/versions/3',
    );
    expect(() => routePath(apiRoutes.jobs.get, {})).toThrow(/path parameter id is missing/);
  });
});
