import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionCatalogue } from '../../src/tenancy/permissions.js';
import type { Permission } from '@flotilla/protocol';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { buildMatrixWorld, call, requestFor } from './matrix-fixtures.js';
import type { MatrixWorld } from './matrix-fixtures.js';
import { buildTokenColumns, inProject, SCOPED_PROJECT } from './scope-fixtures.js';
import type { TokenColumn } from './scope-fixtures.js';

/*
 * The token-scope matrix, generated from the server's own route table with each route's declared
 * permission: for every /api/v1 route and every kind of narrowed API token (project-scoped,
 * read-only, service; of the owner, a tenant admin, a member), the answer is 403 FORBIDDEN
 * exactly where the scope model of docs/security.md ("Token scopes") says so, and anything but
 * 401/403/5xx where the token may pass. A route added later is covered automatically.
 */

/** Mutations a read-only token may call, each with the reason; every other non-GET route is 403. */
const READ_ONLY_TOKEN_ALLOWED: Record<string, string> = {
  'POST /api/v1/auth/logout': 'ends the caller’s own session (nothing to end for a token)',
  'POST /api/v1/workflows/validate': 'validation only: nothing is stored',
};

/** Refusals a handler adds to its declared permission, with the rule. */
const HANDLER_REFUSALS: Record<string, { refuses: (c: TokenColumn) => boolean; rule: string }> = {
  'POST /api/v1/api-tokens': { refuses: (c) => c.kind === 'service', rule: 'a service token creates no tokens' },
};

/** Routes outside tenancy: no credentials to scope. */
const PUBLIC_ROUTES = new Set(['POST /api/v1/auth/login', 'POST /api/v1/agents/enroll', 'GET /api/v1/openapi.json']);

/** Where a project route is called: in the token's own project, or in another one. */
type Target = 'own project' | 'other project' | null;

/** The scope model: whether `column` must be refused (403 FORBIDDEN) on a route declaring `permission`. */
function mustRefuse(column: TokenColumn, permission: Permission, target: Target, key: string): boolean {
  const rule = permissionCatalogue[permission];
  if (rule.write && column.readOnly) return true;
  if (HANDLER_REFUSALS[key]?.refuses(column) === true) return true;
  // Tenant-wide rights need a personal token for every project (or a session, not in this matrix).
  const tenantWide = column.kind === 'personal' && !column.projectScoped;
  switch (rule.level) {
    case 'self':
      return false;
    case 'tenant':
      return column.projectScoped;
    case 'tenant-admin':
      return !(tenantWide && (column.role === 'admin' || column.role === 'owner'));
    case 'owner':
      return !(tenantWide && column.role === 'owner');
    case 'project':
      return target === 'other project' && column.projectScoped;
    default: {
      const never: never = rule;
      throw new Error(`unknown level ${String(never)}`);
    }
  }
}

describe.each(DIALECTS)('token-scope matrix [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let db: TestDatabase;
  let t: TestServer;
  let world: MatrixWorld;
  let columns: TokenColumn[];
  let routes: { method: string; url: string; key: string; permission: Permission }[];

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: db.url });
    world = await buildMatrixWorld(t.server, t.token);
    columns = await buildTokenColumns(t.server, t.token);
    routes = t.server.routes
      .filter((r) => r.url.startsWith('/api/v1/'))
      .map((r) => ({ ...r, key: `${r.method} ${r.url}` }))
      .filter((r) => !PUBLIC_ROUTES.has(r.key))
      .map((r) => {
        if (r.permission === null) throw new Error(`${r.key} declares no permission`);
        return { ...r, permission: r.permission };
      });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await db.cleanup();
  });

  /** A request that passes validation where the matrix needs a real answer. */
  const requestOf = (route: { method: string; url: string; key: string }): { url: string; body?: unknown } => {
    // The narrowest token there is, so only the rules of the scope model can refuse it.
    if (route.key === 'POST /api/v1/api-tokens')
      return {
        url: route.url,
        body: { name: 'matrix', project: SCOPED_PROJECT, access: 'read-only', expiresIn: '1h' },
      };
    return requestFor(route, world);
  };

  it('every route answers every kind of scoped token as the scope model says', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const column of columns) {
      for (const route of routes) {
        const level = permissionCatalogue[route.permission].level;
        const targets: Target[] = level === 'project' ? ['own project', 'other project'] : [null];
        for (const target of targets) {
          const refuse = mustRefuse(column, route.permission, target, route.key);
          // An allowed mutation in tenant A's `default` project would destroy the objects the
          // other checks aim at; reads are always made. Refusals are always checked.
          if (!refuse && target === 'other project' && route.method !== 'GET') continue;
          const request = requestOf(route);
          if (target !== null)
            request.url = inProject(request.url, target === 'own project' ? SCOPED_PROJECT : 'default');
          const res = await call(t.server, column.token, route.method, request);
          checked++;
          const refused = res.status === 403 && res.code === 'FORBIDDEN';
          if (refuse !== refused || res.status === 401 || res.status >= 500) {
            const where = target === null ? '' : ` (${target})`;
            failures.push(
              `${column.name}: ${route.key}${where} → ${res.status} ${String(res.code)}, expected ${refuse ? '403 FORBIDDEN' : 'to pass'}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(routes.length * columns.length);
  });

  it('read-only tokens are refused on every mutation but the documented self-service ones', async () => {
    const failures: string[] = [];
    for (const column of columns.filter((c) => c.readOnly)) {
      for (const route of routes.filter((r) => r.method !== 'GET' && READ_ONLY_TOKEN_ALLOWED[r.key] === undefined)) {
        const res = await call(t.server, column.token, route.method, requestOf(route));
        if (res.status !== 403 || res.code !== 'FORBIDDEN')
          failures.push(`${column.name}: ${route.key} → ${res.status} ${String(res.code)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('project-scoped tokens are refused on every tenant-wide route', async () => {
    const failures: string[] = [];
    for (const column of columns.filter((c) => c.projectScoped)) {
      for (const route of routes.filter((r) =>
        ['tenant', 'tenant-admin', 'owner'].includes(permissionCatalogue[r.permission].level),
      )) {
        const res = await call(t.server, column.token, route.method, requestOf(route));
        if (res.status !== 403 || res.code !== 'FORBIDDEN')
          failures.push(`${column.name}: ${route.key} → ${res.status} ${String(res.code)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(routes.some((r) => permissionCatalogue[r.permission].level === 'tenant-admin')).toBe(true);
    expect(routes.some((r) => permissionCatalogue[r.permission].level === 'owner')).toBe(true);
  });

  it('the exemption lists name only routes that exist', () => {
    const all = new Set(t.server.routes.map((r) => `${r.method} ${r.url}`));
    for (const key of [...Object.keys(READ_ONLY_TOKEN_ALLOWED), ...Object.keys(HANDLER_REFUSALS), ...PUBLIC_ROUTES])
      expect(all, key).toContain(key);
  });
});
