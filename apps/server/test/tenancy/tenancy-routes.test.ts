import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTeamMember, createTenant, createUser } from './tenancy-helpers.js';

describe('tenants, users, projects, teams and grants', () => {
  let t: TestServer;
  let owner: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestServer();
    owner = api(t.server, t.token);
  });
  afterAll(() => t.close());

  it('the owner creates a tenant with a default project, and names are unique', async () => {
    await createTenant(t.server, t.token, 'acme');
    expect((await owner.post('/tenants', { name: 'acme' })).body.code).toBe('CONFLICT');
    expect((await owner.post('/tenants', { name: 'Bad Name' })).body.code).toBe('VALIDATION_FAILED');
    expect((await owner.get('/tenants')).body.items.map((x: { name: string }) => x.name)).toEqual(['acme', 'default']);
    const admin = await createUser(t.server, t.token, { username: 'acme-admin', tenant: 'acme', role: 'admin' });
    const acme = api(t.server, admin.token);
    expect((await acme.get('/projects')).body.items.map((p: { name: string }) => p.name)).toEqual(['default']);
    // A tenant admin is not the owner: no tenant creation, and only its own tenant is listed.
    expect((await acme.post('/tenants', { name: 'other' })).body.code).toBe('FORBIDDEN');
    expect((await acme.get('/tenants')).body.items.map((x: { name: string }) => x.name)).toEqual(['acme']);
    // Nor can it create users in another tenant: that tenant does not exist for it.
    expect(
      (
        await acme.post('/users', {
          username: 'intruder',
          password: 'long enough password',
          tenant: 'default',
          role: 'admin',
        })
      ).status,
    ).toBe(404);
    expect((await acme.get('/users')).body.items.map((u: { username: string }) => u.username)).toEqual(['acme-admin']);
  });

  it('members need a team grant; read-only grants read, full grants write', async () => {
    const noGrant = await createUser(t.server, t.token, { username: 'loner', role: 'member' });
    expect((await api(t.server, noGrant.token).get('/agents')).body.code).toBe('FORBIDDEN');
    expect((await api(t.server, noGrant.token).get('/projects')).status).toBe(200);

    const reader = await createTeamMember(t.server, t.token, {
      username: 'reader',
      team: 'readers',
      project: 'default',
      access: 'read-only',
    });
    const r = api(t.server, reader.token);
    expect((await r.get('/agents')).status).toBe(200);
    expect((await r.post('/enrollment-tokens', {})).body.code).toBe('FORBIDDEN');
    expect((await r.post('/teams', { name: 'mine' })).body.code).toBe('FORBIDDEN');

    const writer = await createTeamMember(t.server, t.token, {
      username: 'writer',
      team: 'writers',
      project: '*',
      access: 'full',
    });
    expect((await api(t.server, writer.token).post('/enrollment-tokens', {})).status).toBe(201);

    const teams = (await owner.get('/teams')).body.items;
    expect(teams.find((x: { name: string }) => x.name === 'readers')).toMatchObject({
      members: [{ username: 'reader' }],
      grants: [{ project: 'default', access: 'read-only' }],
    });
    expect(teams.find((x: { name: string }) => x.name === 'writers').grants).toEqual([
      { project: '*', access: 'full' },
    ]);
  });

  it('selects the project with ?project= or the header; grants are per project', async () => {
    expect((await owner.post('/projects', { name: 'web' })).status).toBe(201);
    expect((await owner.post('/projects', { name: 'web' })).body.code).toBe('CONFLICT');
    const created = await owner.post('/enrollment-tokens?project=web', {});
    expect(created.status).toBe(201);
    expect((await owner.get('/enrollment-tokens?project=web')).body.items.map((x: { id: string }) => x.id)).toEqual([
      created.body.id,
    ]);
    expect((await owner.get('/enrollment-tokens')).body.items.map((x: { id: string }) => x.id)).not.toContain(
      created.body.id,
    );
    const viaHeader = await t.server.app.inject({
      method: 'GET',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: `Bearer ${t.token}`, 'x-flotilla-project': 'web' },
    });
    expect(viaHeader.json().items.map((x: { id: string }) => x.id)).toEqual([created.body.id]);
    expect((await owner.get('/agents?project=nope')).body.code).toBe('PROJECT_NOT_FOUND');
    // The project of another tenant does not exist for this one.
    expect((await owner.get('/agents?project=acme')).status).toBe(404);

    const webOnly = await createTeamMember(t.server, t.token, {
      username: 'web-dev',
      team: 'web-devs',
      project: 'web',
      access: 'full',
    });
    const w = api(t.server, webOnly.token);
    expect((await w.get('/agents?project=web')).status).toBe(200);
    expect((await w.get('/agents')).body.code).toBe('FORBIDDEN');
  });

  it('validates team membership and grants inside the tenant', async () => {
    const team = (await owner.post('/teams', { name: 'ops' })).body;
    expect((await owner.post(`/teams/${team.id}/members`, { userId: 'usr_missing' })).status).toBe(404);
    expect((await owner.post(`/teams/${team.id}/grants`, { project: 'nope', access: 'full' })).body.code).toBe(
      'PROJECT_NOT_FOUND',
    );
    expect((await owner.post('/teams/tea_missing/grants', { project: '*', access: 'full' })).status).toBe(404);
    expect((await owner.post(`/teams/${team.id}/grants`, { project: '*', access: 'everything' })).body.code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('removes a member and withdraws a grant: the member loses access at the next request', async () => {
    const member = await createTeamMember(t.server, t.token, {
      username: 'leaver',
      team: 'leavers',
      project: 'default',
      access: 'full',
    });
    const m = api(t.server, member.token);
    expect((await m.get('/agents')).status).toBe(200);
    expect((await owner.post(`/teams/${member.teamId}/grants`, { project: '*', access: 'read-only' })).status).toBe(
      200,
    );

    const withdrawn = await owner.delete(`/teams/${member.teamId}/grants/default`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.grants).toEqual([{ project: '*', access: 'read-only' }]);
    // What remains is read-only on every project.
    expect((await m.post('/enrollment-tokens', {})).body.code).toBe('FORBIDDEN');
    expect((await m.get('/agents')).status).toBe(200);
    expect((await owner.delete(`/teams/${member.teamId}/grants/default`)).status).toBe(404);
    expect((await owner.delete(`/teams/${member.teamId}/grants/nope`)).body.code).toBe('PROJECT_NOT_FOUND');

    const removed = await owner.delete(`/teams/${member.teamId}/members/${member.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.members).toEqual([]);
    expect((await m.get('/agents')).body.code).toBe('FORBIDDEN');
    expect((await owner.delete(`/teams/${member.teamId}/members/${member.id}`)).status).toBe(404);
    expect((await owner.delete(`/teams/tea_missing/members/${member.id}`)).status).toBe(404);

    // Both changes are in the audit trail; a member may not make them.
    const actions = (await owner.get('/audit?action=team')).body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['team.member_remove', 'team.grant_revoke']));
    expect((await m.delete(`/teams/${member.teamId}/grants/*`)).body.code).toBe('FORBIDDEN');
  });
});
