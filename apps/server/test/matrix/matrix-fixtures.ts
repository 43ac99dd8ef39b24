import { expect } from 'vitest';
import type { FlotillaServer } from '@flotilla/server';
import { api, WORKFLOW } from '../helpers/api.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import { createTeamMember, createTenant, createUser } from '../tenancy/tenancy-helpers.js';

/** Objects of tenant A, by the kind of object a path parameter names. */
export interface TenantAObjects {
  agent: string;
  enrollmentToken: string;
  job: string;
  workflow: string;
  secret: string;
  team: string;
  apiToken: string;
  user: string;
}

/** Strings of tenant A that must never appear in an answer to tenant B. */
export const TENANT_A_SECRET_VALUE = 'tenant-a-secret-value-0123456789';

export interface MatrixWorld {
  a: TenantAObjects;
  /** Bearer token of tenant B's admin: full rights in B, so a 403 can never hide a leak. */
  tenantBToken: string;
  tenantBUserId: string;
  /** Bearer token of a member of tenant A whose team has read-only access on every project. */
  readOnlyToken: string;
}

/** Creates one object of every kind in tenant A (`default`, as the owner), and tenant B with its admin. */
export async function buildMatrixWorld(server: FlotillaServer, ownerToken: string): Promise<MatrixWorld> {
  const owner = api(server, ownerToken);
  const created = async (url: string, body: unknown): Promise<{ id: string }> => {
    const res = await owner.post(url, body);
    expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(201);
    return res.body as { id: string };
  };
  const enrollmentToken = (await created('/enrollment-tokens', {})).id;
  const agent = (await enrollAgent(server, { token: await createEnrollmentToken(server, ownerToken), name: 'a-agent' }))
    .agentId;
  const workflow = (await created('/workflows', { document: WORKFLOW })).id;
  const job = (await created('/jobs', { workflow: WORKFLOW, target: { agent } })).id;
  expect((await owner.post('/secrets', { name: 'A_SECRET', value: TENANT_A_SECRET_VALUE })).status).toBeLessThan(300);
  const team = (await created('/teams', { name: 'a-team' })).id;
  const apiToken = (await created('/api-tokens', { name: 'a-token' })).id;
  const user = (await createUser(server, ownerToken, { username: 'a-user', role: 'member' })).id;
  const reader = await createTeamMember(server, ownerToken, {
    username: 'a-reader',
    team: 'a-readers',
    project: '*',
    access: 'read-only',
  });

  await createTenant(server, ownerToken, 'tenant-b');
  const bAdmin = await createUser(server, ownerToken, { username: 'b-admin', tenant: 'tenant-b', role: 'admin' });
  return {
    a: { agent, enrollmentToken, job, workflow, secret: 'A_SECRET', team, apiToken, user },
    tenantBToken: bAdmin.token,
    tenantBUserId: bAdmin.id,
    readOnlyToken: reader.token,
  };
}

/** Which object of tenant A a route's `:id` names, by the route's first path segment. */
const ID_KIND: Record<string, keyof TenantAObjects> = {
  agents: 'agent',
  'enrollment-tokens': 'enrollmentToken',
  jobs: 'job',
  workflows: 'workflow',
  teams: 'team',
  'api-tokens': 'apiToken',
};

/**
 * The concrete URL of a route pattern aimed at tenant A's objects, or an error naming the route
 * when the matrix does not know its parameters: a new route cannot silently escape the matrix.
 */
export function concreteUrl(route: { method: string; url: string }, a: TenantAObjects): string {
  const segment = route.url.replace(/^\/api\/v1\//, '').split('/')[0] ?? '';
  return route.url.replace(/:(\w+)/g, (_match, param: string) => {
    if (param === 'id' && ID_KIND[segment] !== undefined) return a[ID_KIND[segment]];
    if (param === 'n') return '1';
    if (param === 'name' && segment === 'secrets') return a.secret;
    if (param === 'userId' && segment === 'teams') return a.user;
    if (param === 'project' && segment === 'teams') return '*';
    throw new Error(
      `matrix: no tenant-A fixture for :${param} of ${route.method} ${route.url} — add one in matrix-fixtures.ts`,
    );
  });
}

/** Request bodies (and queries) that pass validation, so the answer comes from the lookup. */
export function requestFor(
  route: { method: string; url: string },
  world: MatrixWorld,
): { url: string; body?: unknown } {
  const key = `${route.method} ${route.url}`;
  const url = concreteUrl(route, world.a);
  switch (key) {
    case 'PUT /api/v1/workflows/:id':
      return { url, body: { document: WORKFLOW } };
    case 'GET /api/v1/workflows/:id/diff':
      return { url: `${url}?from=1` };
    case 'PATCH /api/v1/agents/:id':
      return { url, body: { labels: { leaked: 'yes' } } };
    case 'POST /api/v1/teams/:id/members':
      return { url, body: { userId: world.tenantBUserId } };
    case 'POST /api/v1/teams/:id/grants':
      return { url, body: { project: '*', access: 'full' } };
    default:
      return route.method === 'GET' || route.method === 'DELETE' ? { url } : { url, body: {} };
  }
}

/**
 * The text of an answer. A server-sent event stream never ends by itself: it is read up to its
 * first message (what is checked for leaks), then the connection is dropped, as a client would.
 */
async function bodyText(res: Awaited<ReturnType<FlotillaServer['app']['inject']>>): Promise<string> {
  const stream = res.stream();
  const isEventStream = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (isEventStream && text.includes('\n\n')) break;
  }
  if (isEventStream) res.raw.res.destroy();
  return text;
}

/** One call with any method; the body text is kept to search it for leaks. */
export async function call(
  server: FlotillaServer,
  token: string,
  method: string,
  request: { url: string; body?: unknown },
): Promise<{ status: number; code: unknown; text: string }> {
  const res = await server.app.inject({
    method: method as 'GET',
    url: request.url,
    headers: { authorization: `Bearer ${token}` },
    payloadAsStream: true,
    ...(request.body === undefined ? {} : { payload: request.body as Record<string, unknown> }),
  });
  const text = await bodyText(res);
  let code: unknown;
  try {
    code = (JSON.parse(text) as { code?: unknown }).code;
  } catch {
    code = undefined;
  }
  return { status: res.statusCode, code, text };
}
