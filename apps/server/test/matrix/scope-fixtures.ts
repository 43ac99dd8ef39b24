import { expect } from 'vitest';
import type { FlotillaServer } from '@flotilla/server';
import { api } from '../helpers/api.js';
import { createTeamMember, createUser } from '../tenancy/tenancy-helpers.js';

/** The project every scoped token of the matrix is limited to (tenant A's objects live in `default`). */
export const SCOPED_PROJECT = 'web';

/** One column of the token-scope matrix: a kind of API token and what it is limited to. */
export interface TokenColumn {
  name: string;
  token: string;
  kind: 'personal' | 'service';
  /** The role of the user a personal token belongs to; service tokens hold none. */
  role: 'owner' | 'admin' | 'member' | null;
  /** Limited to `SCOPED_PROJECT`. */
  projectScoped: boolean;
  readOnly: boolean;
}

/**
 * Creates project `web` in tenant A and one API token per column: personal tokens of the owner,
 * of a tenant admin and of a member (full grant on every project), and service tokens, each
 * limited to `web` or read-only or both — everything a token can be narrowed to.
 */
export async function buildTokenColumns(server: FlotillaServer, ownerToken: string): Promise<TokenColumn[]> {
  const owner = api(server, ownerToken);
  expect((await owner.post('/projects', { name: SCOPED_PROJECT })).status).toBe(201);
  const admin = await createUser(server, ownerToken, { username: 'scope-admin', role: 'admin' });
  const member = await createTeamMember(server, ownerToken, {
    username: 'scope-member',
    team: 'scope-members',
    project: '*',
    access: 'full',
  });

  const columns: TokenColumn[] = [];
  const add = async (
    name: string,
    creator: { token: string; role: 'owner' | 'admin' | 'member' },
    spec: { kind?: 'service'; project?: string; access?: 'read-only' },
  ): Promise<void> => {
    const res = await api(server, creator.token).post('/api-tokens', { name, ...spec });
    expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(201);
    columns.push({
      name,
      token: res.body.token as string,
      kind: spec.kind ?? 'personal',
      role: spec.kind === 'service' ? null : creator.role,
      projectScoped: spec.project !== undefined,
      readOnly: spec.access === 'read-only',
    });
  };
  const web = { project: SCOPED_PROJECT };
  const asOwner = { token: ownerToken, role: 'owner' } as const;
  const asAdmin = { token: admin.token, role: 'admin' } as const;
  await add('owner token limited to web', asOwner, web);
  await add('tenant-admin token limited to web', asAdmin, web);
  await add('member token limited to web', { token: member.token, role: 'member' }, web);
  await add('read-only owner token', asOwner, { access: 'read-only' });
  await add('read-only tenant-admin token', asAdmin, { access: 'read-only' });
  await add('read-only owner token limited to web', asOwner, { ...web, access: 'read-only' });
  await add('service token', asOwner, { kind: 'service' });
  await add('service token limited to web', asOwner, { kind: 'service', ...web });
  await add('read-only service token', asOwner, { kind: 'service', access: 'read-only' });
  return columns;
}

/** `url` with `?project=` (or `&project=`) added. */
export function inProject(url: string, project: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}project=${project}`;
}
