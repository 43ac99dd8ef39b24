import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTeamMember, createUser } from '../tenancy/tenancy-helpers.js';

describe('API tokens', () => {
  let t: TestServer;
  let owner: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestServer();
    owner = api(t.server, t.token);
    expect((await owner.post('/projects', { name: 'web' })).status).toBe(201);
  });
  afterAll(() => t.close());

  it('shows the secret once, stores it hashed, and records last use', async () => {
    const created = await owner.post('/api-tokens', { name: 'ci', access: 'full' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'ci',
      kind: 'personal',
      access: 'full',
      project: null,
      expiresAt: null,
      lastUsedAt: null,
      revoked: false,
    });
    expect(created.body.token).toMatch(/^flt_p_/);
    const listed = (await owner.get('/api-tokens')).body.items;
    expect(JSON.stringify(listed)).not.toContain(created.body.token);
    expect((await api(t.server, created.body.token).get('/auth/me')).body).toMatchObject({ username: 'admin' });
    expect(
      (await owner.get('/api-tokens')).body.items.find((x: { id: string }) => x.id === created.body.id).lastUsedAt,
    ).not.toBeNull();
    expect(t.logs.text()).not.toContain(created.body.token);
  });

  it('a read-only token reads but never mutates (403 FORBIDDEN)', async () => {
    const ro = api(t.server, (await owner.post('/api-tokens', { name: 'ro', access: 'read-only' })).body.token);
    expect((await ro.get('/agents')).status).toBe(200);
    expect((await ro.post('/enrollment-tokens', {})).body.code).toBe('FORBIDDEN');
    expect((await ro.post('/projects', { name: 'x' })).body.code).toBe('FORBIDDEN');
    expect((await ro.post('/api-tokens', { name: 'escalate', access: 'full' })).body.code).toBe('FORBIDDEN');
  });

  it('a project token acts in its project only, and creates no wider token', async () => {
    const web = (await owner.post('/api-tokens', { name: 'web', project: 'web' })).body;
    expect(web.project).toBe('web');
    const w = api(t.server, web.token);
    const made = await w.post('/enrollment-tokens', {});
    expect(made.status).toBe(201);
    expect((await owner.get('/enrollment-tokens?project=web')).body.items.map((x: { id: string }) => x.id)).toContain(
      made.body.id,
    );
    expect((await w.get('/agents?project=default')).body.code).toBe('FORBIDDEN');
    expect((await w.post('/api-tokens', { name: 'wide' })).body.code).toBe('FORBIDDEN');
    expect((await w.post('/api-tokens', { name: 'narrow', project: 'web' })).status).toBe(201);
  });

  it('a revoked token is refused on the next request; an expired one too (401)', async () => {
    const created = (await owner.post('/api-tokens', { name: 'short' })).body;
    const client = api(t.server, created.token);
    expect((await client.get('/auth/me')).status).toBe(200);
    expect((await owner.delete(`/api-tokens/${created.id}`)).status).toBe(204);
    expect((await client.get('/auth/me')).body.code).toBe('UNAUTHENTICATED');
    expect((await owner.delete(`/api-tokens/${created.id}`)).status).toBe(404);

    const expiring = (await owner.post('/api-tokens', { name: 'expiring', expiresIn: '1s' })).body;
    expect((await api(t.server, expiring.token).get('/auth/me')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api(t.server, expiring.token).get('/auth/me')).body.code).toBe('UNAUTHENTICATED');
  });

  it('service tokens are for admins; members see and revoke only their own tokens', async () => {
    const member = await createTeamMember(t.server, t.token, {
      username: 'dev',
      team: 'devs',
      project: '*',
      access: 'full',
    });
    const m = api(t.server, member.token);
    expect((await m.post('/api-tokens', { name: 'svc', kind: 'service' })).body.code).toBe('FORBIDDEN');
    const own = (await m.post('/api-tokens', { name: 'mine' })).body;
    expect((await m.get('/api-tokens')).body.items.map((x: { id: string }) => x.id)).toEqual([own.id]);
    const service = (await owner.post('/api-tokens', { name: 'deployer', kind: 'service', access: 'full' })).body;
    expect((await m.delete(`/api-tokens/${service.id}`)).status).toBe(404);
    // A service token acts as itself, with its scope: project work yes, tenant administration no.
    const s = api(t.server, service.token);
    expect((await s.get('/auth/me')).body.username).toBe('service:deployer');
    expect((await s.post('/enrollment-tokens', {})).status).toBe(201);
    expect((await s.post('/projects', { name: 'nope' })).body.code).toBe('FORBIDDEN');
    // A member's personal token has no more rights than the member.
    const plain = await createUser(t.server, t.token, { username: 'nobody', role: 'member' });
    const token = (await api(t.server, plain.token).post('/api-tokens', { name: 'x' })).body.token;
    expect((await api(t.server, token).get('/agents')).body.code).toBe('FORBIDDEN');
  });
});
