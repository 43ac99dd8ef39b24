import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, SessionInfoSchema } from '@flotilla/protocol';
import type { SessionInfo } from '@flotilla/protocol';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createTeamMember, createTenant } from '../tenancy/tenancy-helpers.js';

const PROJECT_READS = ['agents:read', 'jobs:read', 'logs:read', 'workflows:read', 'secrets:read'];

describe.each(DIALECTS)('GET /auth/session [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let owner: ReturnType<typeof api>;
  let reader: ReturnType<typeof api>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    owner = api(t.server, t.token);
    expect((await owner.post('/projects', { name: 'staging' })).status).toBe(201);
    await createTenant(t.server, t.token, 'acme');
    reader = api(
      t.server,
      (
        await createTeamMember(t.server, t.token, {
          username: 'rita',
          team: 'qa',
          project: 'staging',
          access: 'read-only',
        })
      ).token,
    );
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  async function session(as: ReturnType<typeof api>, query = ''): Promise<SessionInfo> {
    const res = await as.get(`/auth/session${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return SessionInfoSchema.parse(res.body);
  }

  it('gives the owner every permission, every project of its tenant and every tenant', async () => {
    const info = await session(owner);
    expect(info.user).toMatchObject({ username: 'admin', role: 'owner', tenant: 'default' });
    expect(info.tenant.name).toBe('default');
    expect(info.project.name).toBe('default');
    expect(info.projects.map((p) => p.name)).toEqual(['default', 'staging']);
    expect(info.tenants.map((p) => p.name)).toEqual(['acme', 'default']);
    expect([...info.permissions].sort()).toEqual([...PERMISSIONS].sort());
    expect((await session(owner, '?project=staging')).project.name).toBe('staging');
  });

  it("lists only the projects a member's teams grant, and read permissions where the grant is read-only", async () => {
    const home = await session(reader);
    expect(home.project.name).toBe('default');
    expect(home.projects.map((p) => p.name)).toEqual(['staging']);
    expect(home.tenants.map((p) => p.name)).toEqual(['default']);
    expect([...home.permissions].sort()).toEqual(['self:read', 'self:write', 'tenancy:read']);

    const staging = await session(reader, '?project=staging');
    expect(staging.project.name).toBe('staging');
    expect([...staging.permissions].sort()).toEqual(
      ['self:read', 'self:write', 'tenancy:read', ...PROJECT_READS].sort(),
    );
    // the same decisions as the requests themselves
    expect((await reader.get('/agents?project=staging')).status).toBe(200);
    expect((await reader.get('/agents')).status).toBe(403);
    const write = await reader.post('/enrollment-tokens?project=staging', {});
    expect(write.status).toBe(403);
  });

  it('limits a project-scoped read-only token to its project and to reads', async () => {
    const created = await owner.post('/api-tokens', { name: 'ci', project: 'staging', access: 'read-only' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const token = api(t.server, created.body.token as string);
    const info = await session(token, '?project=staging');
    expect(info.projects.map((p) => p.name)).toEqual(['staging']);
    expect([...info.permissions].sort()).toEqual(['self:read', ...PROJECT_READS].sort());
    // its project is the token's by default
    expect(await session(token)).toEqual(info);
    expect((await token.get('/auth/session?project=default')).status).toBe(200);
    expect((await session(token, '?project=default')).permissions).toEqual(['self:read']);
  });

  it('answers 404 PROJECT_NOT_FOUND for a project the tenant does not have', async () => {
    const res = await owner.get('/auth/session?project=nowhere');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('PROJECT_NOT_FOUND');
    expect((await t.server.app.inject({ method: 'GET', url: '/api/v1/auth/session' })).statusCode).toBe(401);
  });
});
