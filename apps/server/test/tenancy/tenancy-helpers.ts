import { expect } from 'vitest';
import type { FlotillaServer } from '@flotilla/server';
import { api } from '../helpers/api.js';

export const USER_PASSWORD = 'a long enough test password';

/** Logs a user in and returns its bearer token. */
export async function loginAs(server: FlotillaServer, username: string, password = USER_PASSWORD): Promise<string> {
  const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ token: string }>().token;
}

/** Creates a tenant (as the owner); returns its id. */
export async function createTenant(server: FlotillaServer, ownerToken: string, name: string): Promise<string> {
  const res = await api(server, ownerToken).post('/tenants', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Creates a user and logs it in; returns its id and bearer token. */
export async function createUser(
  server: FlotillaServer,
  adminToken: string,
  user: { username: string; tenant?: string; role: 'admin' | 'member' },
): Promise<{ id: string; token: string }> {
  const res = await api(server, adminToken).post('/users', { ...user, password: USER_PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id as string, token: await loginAs(server, user.username) };
}

/** A member of a team holding `access` on `project` (name or `*`); returns the member's token. */
export async function createTeamMember(
  server: FlotillaServer,
  adminToken: string,
  member: { username: string; team: string; project: string; access: 'full' | 'read-only' },
): Promise<{ id: string; token: string; teamId: string }> {
  const admin = api(server, adminToken);
  const user = await createUser(server, adminToken, { username: member.username, role: 'member' });
  const team = await admin.post('/teams', { name: member.team });
  expect(team.status, JSON.stringify(team.body)).toBe(201);
  expect((await admin.post(`/teams/${team.body.id}/members`, { userId: user.id })).status).toBe(200);
  expect(
    (await admin.post(`/teams/${team.body.id}/grants`, { project: member.project, access: member.access })).status,
  ).toBe(200);
  return { ...user, teamId: team.body.id as string };
}
