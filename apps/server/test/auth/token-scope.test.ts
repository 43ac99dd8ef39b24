import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { api } from '../helpers/api.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { createTeamMember, createTenant, createUser } from '../tenancy/tenancy-helpers.js';

/*
 * A token limited to a project (or read-only) never exceeds that scope: tenant administration
 * and owner rights need an unscoped token or a session, whoever the token belongs to. The
 * route-by-route proof is the generated matrix (`test/matrix/token-scope-matrix.test.ts`); these
 * are the escalations the hardening issue reported, with what must not have happened.
 */
describe.each(DIALECTS)('token scopes [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let db: TestDatabase;
  let t: TestServer;
  let owner: ReturnType<typeof api>;
  /** The owner's personal token limited to project `web`, with full access. */
  let ownerWeb: ReturnType<typeof api>;
  /** A tenant admin (not the owner) and that admin's personal token limited to `web`. */
  let admin: ReturnType<typeof api>;
  let adminWeb: ReturnType<typeof api>;
  let teamId: string;

  const personalToken = async (
    as: ReturnType<typeof api>,
    body: Record<string, unknown>,
  ): Promise<ReturnType<typeof api>> => {
    const created = await as.post('/api-tokens', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return api(t.server, created.body.token as string);
  };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: db.url });
    owner = api(t.server, t.token);
    expect((await owner.post('/projects', { name: 'web' })).status).toBe(201);
    ownerWeb = await personalToken(owner, { name: 'owner-web', project: 'web' });
    admin = api(t.server, (await createUser(t.server, t.token, { username: 'tenant-admin', role: 'admin' })).token);
    adminWeb = await personalToken(admin, { name: 'admin-web', project: 'web' });
    teamId = (
      await createTeamMember(t.server, t.token, { username: 'dev', team: 'devs', project: 'web', access: 'read-only' })
    ).teamId;
  }, 60_000);
  afterAll(async () => {
    await t.close();
    await db.cleanup();
  });

  it('a project-scoped owner token cannot create users (POST /users)', async () => {
    const res = await ownerWeb.post('/users', {
      username: 'escalated',
      password: 'a long enough password',
      role: 'admin',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await owner.get('/users')).body.items.map((u: { username: string }) => u.username)).not.toContain(
      'escalated',
    );
  });

  it('a project-scoped owner token cannot grant teams access (POST /teams/:id/grants)', async () => {
    const res = await ownerWeb.post(`/teams/${teamId}/grants`, { project: '*', access: 'full' });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    const team = (await owner.get('/teams')).body.items.find((x: { id: string }) => x.id === teamId);
    expect(team.grants).toEqual([{ project: 'web', access: 'read-only' }]);
  });

  it('a project-scoped owner token cannot create projects (POST /projects)', async () => {
    const res = await ownerWeb.post('/projects', { name: 'sneaky' });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await owner.get('/projects')).body.items.map((p: { name: string }) => p.name)).toEqual(['default', 'web']);
  });

  it('a project-scoped owner token cannot create tenants (POST /tenants)', async () => {
    const res = await ownerWeb.post('/tenants', { name: 'sneaky' });
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect((await owner.get('/tenants')).body.items.map((x: { name: string }) => x.name)).toEqual(['default']);
  });

  it('a project-scoped owner token cannot read the audit log (GET /audit, /audit/export, /audit/verify)', async () => {
    for (const url of ['/audit', '/audit/export', '/audit/verify']) {
      const res = await ownerWeb.get(url);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  it('a project-scoped owner token does not list every tenant (GET /tenants)', async () => {
    await createTenant(t.server, t.token, 'other-tenant');
    const res = await ownerWeb.get('/tenants');
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('other-tenant');
  });

  it('a project-scoped tenant-admin token administers nothing, but keeps full access to its project', async () => {
    expect(
      (await adminWeb.post('/users', { username: 'escalated-2', password: 'a long enough password', role: 'admin' }))
        .body.code,
    ).toBe('FORBIDDEN');
    expect((await adminWeb.post(`/teams/${teamId}/grants`, { project: '*', access: 'full' })).body.code).toBe(
      'FORBIDDEN',
    );
    expect((await adminWeb.post('/teams', { name: 'sneaky' })).body.code).toBe('FORBIDDEN');
    expect((await adminWeb.get('/audit')).body.code).toBe('FORBIDDEN');
    // Its project is still fully its own: an admin needs no team grant there.
    expect((await adminWeb.post('/enrollment-tokens', {})).status).toBe(201);
    expect((await adminWeb.get('/agents?project=default')).body.code).toBe('FORBIDDEN');
  });

  it('a project-scoped token creates no service token and sees only the tokens of its project', async () => {
    const service = await adminWeb.post('/api-tokens', { name: 'svc', kind: 'service', project: 'web' });
    expect(service.status, JSON.stringify(service.body)).toBe(403);
    expect(service.body.code).toBe('FORBIDDEN');
    // The tenant's other tokens (the owner's, the admin's unscoped ones) are out of its reach.
    const unscoped = (await admin.post('/api-tokens', { name: 'admin-everything' })).body;
    const listed = (await adminWeb.get('/api-tokens')).body.items.map((x: { name: string }) => x.name);
    expect(listed).toContain('admin-web');
    expect(listed).not.toContain('owner-web');
    expect(listed).not.toContain('admin-everything');
    expect((await adminWeb.delete(`/api-tokens/${unscoped.id}`)).status).toBe(404);
    expect((await admin.get('/api-tokens')).body.items.find((x: { id: string }) => x.id === unscoped.id).revoked).toBe(
      false,
    );
  });

  it('a token never creates a token that outlives it', async () => {
    const expiring = await personalToken(owner, { name: 'day', expiresIn: '1d' });
    for (const body of [{ name: 'forever' }, { name: 'longer', expiresIn: '2d' }]) {
      const res = await expiring.post('/api-tokens', body);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    expect((await expiring.post('/api-tokens', { name: 'shorter', expiresIn: '1h' })).status).toBe(201);
    expect((await owner.get('/api-tokens')).body.items.map((x: { name: string }) => x.name)).not.toContain('forever');
  });

  it('a read-only token of the owner reads the tenant but changes nothing', async () => {
    const ro = await personalToken(owner, { name: 'owner-ro', access: 'read-only' });
    expect((await ro.get('/audit')).status).toBe(200);
    expect((await ro.get('/tenants')).body.items.map((x: { name: string }) => x.name)).toContain('other-tenant');
    for (const [url, body] of [
      ['/users', { username: 'ro-escalated', password: 'a long enough password', role: 'admin' }],
      ['/tenants', { name: 'ro-tenant' }],
      ['/projects', { name: 'ro-project' }],
      [`/teams/${teamId}/grants`, { project: '*', access: 'full' }],
    ] as const) {
      expect((await ro.post(url, body)).body.code, url).toBe('FORBIDDEN');
    }
  });

  it('unscoped tokens and sessions keep the rights of their user', async () => {
    const ownerAll = await personalToken(owner, { name: 'owner-all' });
    expect((await ownerAll.post('/projects', { name: 'api' })).status).toBe(201);
    expect((await ownerAll.post('/tenants', { name: 'third' })).status).toBe(201);
    expect((await ownerAll.get('/audit')).status).toBe(200);
    expect((await admin.post('/teams', { name: 'admins-team' })).status).toBe(201);
    expect((await admin.post('/api-tokens', { name: 'svc', kind: 'service', project: 'web' })).status).toBe(201);
  });
});
