import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient } from '@flotilla/client';
import { apiRoutes, listRoutes, platformRoutes } from '@flotilla/protocol';
import { ADMIN_PASSWORD, controlPlanes, type ControlPlane } from '../../../test/e2e/helpers/control-plane.js';

const planes = controlPlanes();
let cp: ControlPlane;
let client: FlotillaClient;

beforeAll(async () => {
  cp = await planes.start();
  client = new FlotillaClient({ baseUrl: cp.url });
  await client.login('admin', ADMIN_PASSWORD);
});
afterAll(() => planes.cleanup());

describe('the client API derived from the route table (real server)', () => {
  it('has a call for every contract of apiRoutes, and nothing else', () => {
    const derived = Object.entries(client.api).flatMap(([area, group]) =>
      Object.entries(group as Record<string, unknown>).map(([name, call]) => `${area}.${name}:${typeof call}`),
    );
    expect(derived).toEqual(listRoutes(apiRoutes).map((r) => `${r.name}:function`));
  });

  it('sends params, query and body, and parses each declared answer: JSON, several statuses, 204, a stream', async () => {
    expect(await client.api.auth.me()).toMatchObject({ username: 'admin', role: 'owner' });
    const created = await client.api.secrets.set({ body: { name: 'ROUTE_API', value: 'v1' } });
    const replaced = await client.api.secrets.set({ body: { name: 'ROUTE_API', value: 'v2' } });
    expect([created.name, replaced.name]).toEqual(['ROUTE_API', 'ROUTE_API']);
    expect((await client.api.secrets.list()).items.map((s) => s.name)).toContain('ROUTE_API');
    await expect(client.api.secrets.delete({ params: { name: 'ROUTE_API' } })).resolves.toBeUndefined();
    const page = await client.api.audit.list({ query: { action: 'secret.set', limit: 1 } });
    expect(page.items).toHaveLength(1);
    const exported = await client.api.audit.export();
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(
      (await exported.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { action: string }).action),
    ).toContain('secret.delete');
    expect((await client.call(platformRoutes.health.ready)).status).toBe('ready');
  });

  it('turns problem answers into errors with the server code', async () => {
    await expect(client.api.workflows.get({ params: { id: 'wfl_missing' } })).rejects.toMatchObject({
      code: 'WORKFLOW_NOT_FOUND',
    });
    await expect(client.api.jobs.list({ query: { limit: 0 } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('a peer that breaks the contract', () => {
  let peer: Server;
  let bad: FlotillaClient;
  beforeAll(async () => {
    // Not a control plane: it answers what its path says, so the client's checks can be seen.
    peer = createServer((req, res) => {
      if (req.url === '/api/v1/auth/me') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'usr_1', username: 'x' }));
      } else if (req.url === '/api/v1/secrets/GONE') {
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end('event: end\ndata: {}\n\n');
      }
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    bad = new FlotillaClient({ baseUrl: `http://127.0.0.1:${(peer.address() as AddressInfo).port}`, token: 't' });
  });
  afterAll(() => new Promise<void>((resolve) => peer.close(() => resolve())));

  it("is refused as the client's own invalid-response error: a body its schema refuses, an undeclared status, a stream where JSON is declared", async () => {
    await expect(bad.api.auth.me()).rejects.toMatchObject({
      name: 'FlotillaClientError',
      kind: 'invalid-response',
      message: expect.stringContaining('GET /api/v1/auth/me'),
    });
    await expect(bad.api.secrets.delete({ params: { name: 'GONE' } })).rejects.toMatchObject({
      name: 'FlotillaClientError',
      kind: 'invalid-response',
      message: expect.stringContaining('status 202 is not declared'),
    });
    await expect(bad.api.logs.list({ params: { id: 'job_1' } })).rejects.toMatchObject({
      name: 'FlotillaClientError',
      kind: 'invalid-response',
      message: expect.stringContaining('text/event-stream'),
    });
  });
});
