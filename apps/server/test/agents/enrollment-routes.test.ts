import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSchema, CreatedEnrollmentTokenSchema, EnrollResponseSchema } from '@flotilla/protocol';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { newAgentKey, signedEnrollment } from '../helpers/test-agent.js';

const facts = { hostname: 'web-host', os: 'linux', arch: 'x64', agentVersion: '0.1.0' };

describe.each(DIALECTS)('enrollment and agents [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let client: ReturnType<typeof api>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    client = api(t.server, t.token);
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  const enroll = (token: string, name: string, key = newAgentKey(), labels: Record<string, string> = {}) =>
    t.server.app.inject({
      method: 'POST',
      url: '/api/v1/agents/enroll',
      payload: signedEnrollment({ token, name, key, labels, facts }),
    });

  it('creates a token whose secret is shown once and never listed', async () => {
    const res = await client.post('/enrollment-tokens', {
      uses: 2,
      expiresIn: '1h',
      labels: { env: 'prod' },
      policy: 'auto-approve',
    });
    expect(res.status).toBe(201);
    const created = CreatedEnrollmentTokenSchema.parse(res.body);
    expect(created).toMatchObject({ uses: 2, usesLeft: 2, labels: { env: 'prod' }, revoked: false });
    expect(created.id).toMatch(/^tok_/);
    expect(Date.parse(created.expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    const list = await client.get('/enrollment-tokens');
    expect(list.status).toBe(200);
    expect(list.body.items.find((i: { id: string }) => i.id === created.id)).toBeDefined();
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(t.logs.text()).not.toContain(created.token);
  });

  it('enrols with defaults (no body) and returns the server key to pin', async () => {
    const { token } = (await client.post('/enrollment-tokens')).body;
    const res = await enroll(token, 'web-1', undefined, { role: 'web' });
    expect(res.statusCode).toBe(200);
    const body = EnrollResponseSchema.parse(res.json());
    expect(body).toMatchObject({
      status: 'approved',
      serverPublicKey: t.server.serverKey.publicKey,
      serverKeyId: t.server.serverKey.keyId,
    });
    const agent = AgentSchema.parse((await client.get(`/agents/${body.agentId}`)).body);
    expect(agent).toMatchObject({
      name: 'web-1',
      status: 'offline',
      labels: { role: 'web' },
      hostname: 'web-host',
      version: '0.1.0',
      lastSeenAt: null,
    });
  });

  it('refuses a used one-time token (ENROLLMENT_TOKEN_INVALID)', async () => {
    const { token } = (await client.post('/enrollment-tokens', { uses: 1 })).body;
    expect((await enroll(token, 'once-1')).statusCode).toBe(200);
    const again = await enroll(token, 'once-2');
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('ENROLLMENT_TOKEN_INVALID');
  });

  it('refuses an expired token', async () => {
    const { token } = (await client.post('/enrollment-tokens', { expiresIn: '1ms' })).body;
    await new Promise((r) => setTimeout(r, 10));
    expect((await enroll(token, 'late')).json().code).toBe('ENROLLMENT_TOKEN_INVALID');
  });

  it('refuses a revoked token, and revoking an unknown token is a 404', async () => {
    const created = (await client.post('/enrollment-tokens')).body;
    expect((await client.delete(`/enrollment-tokens/${created.id}`)).status).toBe(204);
    expect((await enroll(created.token, 'revoked-token')).json().code).toBe('ENROLLMENT_TOKEN_INVALID');
    expect(
      (await client.get('/enrollment-tokens')).body.items.find((i: { id: string }) => i.id === created.id).revoked,
    ).toBe(true);
    expect((await client.delete('/enrollment-tokens/tok_nope')).body.code).toBe('NOT_FOUND');
  });

  it('require-approval enrols as pending until approved', async () => {
    const { token } = (await client.post('/enrollment-tokens', { policy: 'require-approval' })).body;
    const body = (await enroll(token, 'needs-ok')).json();
    expect(body.status).toBe('pending');
    expect((await client.get(`/agents/${body.agentId}`)).body.status).toBe('pending');
    const approved = await client.post(`/agents/${body.agentId}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('offline');
  });

  it('a different key under an existing name never replaces the trusted key', async () => {
    const { token } = (await client.post('/enrollment-tokens', { uses: 5 })).body;
    const key = newAgentKey();
    const trusted = (await enroll(token, 'db-1', key)).json();
    expect(trusted.status).toBe('approved');
    expect((await enroll(token, 'db-1', key)).json()).toEqual(trusted);

    const impostor = (await enroll(token, 'db-1', newAgentKey())).json();
    expect(impostor.status).toBe('pending');
    expect(impostor.agentId).not.toBe(trusted.agentId);
    expect((await client.get(`/agents/${trusted.agentId}`)).body.status).toBe('offline');
    const pending = (await client.get(`/agents/${impostor.agentId}`)).body;
    expect(pending).toMatchObject({ status: 'pending', name: 'db-1', replacesAgentId: trusted.agentId });
    // A job for the name still goes to the trusted agent.
    const job = await client.post('/jobs', {
      workflow: 'name: x\ntasks: [{name: a, type: sleep, config: {duration: 10ms}}]',
      target: { agent: 'db-1' },
    });
    expect(job.body.runs[0].agentId).toBe(trusted.agentId);
  });

  it('lists agents with cursor pagination and 404s unknown ids', async () => {
    const page = await client.get('/agents?limit=2');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await client.get(`/agents?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    expect((await client.get('/agents/agt_nope')).body.code).toBe('AGENT_NOT_FOUND');
    expect((await client.post('/agents/agt_nope/approve')).body.code).toBe('AGENT_NOT_FOUND');
  });
});
