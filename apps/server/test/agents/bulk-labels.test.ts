import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import { createTeamMember } from '../tenancy/tenancy-helpers.js';

describe.each(DIALECTS)('POST /agents/labels [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let client: ReturnType<typeof api>;
  const ids: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    client = api(t.server, t.token);
    for (let i = 0; i < 4; i++) {
      const agent = await enrollAgent(t.server, {
        token: await createEnrollmentToken(t.server, t.token),
        name: `bulk-${i}`,
        labels: { role: i < 2 ? 'web' : 'db', old: 'yes' },
      });
      ids.push(agent.agentId);
    }
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  const labelsOf = async (id: string) => (await client.get(`/agents/${id}`)).body.labels as Record<string, string>;

  it('sets and removes labels on every agent in one request, audited once with the ids', async () => {
    const res = await client.post('/agents/labels', {
      agentIds: [ids[0], ids[2], ids[0]],
      set: { zone: 'eu-1', role: 'edge' },
      remove: ['old'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ updated: 2 });
    expect(await labelsOf(ids[0]!)).toEqual({ role: 'edge', zone: 'eu-1' });
    expect(await labelsOf(ids[2]!)).toEqual({ role: 'edge', zone: 'eu-1' });
    expect(await labelsOf(ids[1]!)).toEqual({ role: 'web', old: 'yes' });
    // the new labels are what the fleet filter and job targets see
    const edge = (await client.get('/agents?selector=role%3Dedge')).body.items.map((a: { id: string }) => a.id);
    expect(edge.sort()).toEqual([ids[0], ids[2]].sort());

    const audit = (await client.get('/audit?limit=200')).body.items.filter(
      (e: { action: string }) => e.action === 'agent.bulk_label',
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].change).toEqual({
      agentIds: [ids[0], ids[2]],
      set: { zone: 'eu-1', role: 'edge' },
      remove: ['old'],
    });
  });

  it('changes nothing when one id is unknown or of another project: 404 naming it', async () => {
    expect((await client.post('/projects', { name: 'other' })).status).toBe(201);
    const elsewhere = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens?project=other',
      headers: { authorization: `Bearer ${t.token}` },
      payload: {},
    });
    const stranger = await enrollAgent(t.server, { token: elsewhere.json<{ token: string }>().token, name: 'far' });
    for (const unknown of ['agt_nope', stranger.agentId]) {
      const res = await client.post('/agents/labels', { agentIds: [ids[1], unknown], set: { touched: 'yes' } });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('AGENT_NOT_FOUND');
      expect(res.body.errors).toEqual([expect.objectContaining({ path: 'agentIds.1', in: 'body' })]);
      expect(await labelsOf(ids[1]!)).toEqual({ role: 'web', old: 'yes' });
    }
  });

  it('validates the request: 1–1000 ids, something to change, no key both set and removed', async () => {
    const bad = [
      { agentIds: [], set: { a: 'b' } },
      { agentIds: Array.from({ length: 1001 }, (_, i) => `agt_${i}`), set: { a: 'b' } },
      { agentIds: [ids[0]] },
      { agentIds: [ids[0]], set: {}, remove: [] },
      { agentIds: [ids[0]], set: { a: 'b' }, remove: ['a'] },
      { agentIds: [ids[0]], set: { 'bad key': 'b' } },
      { agentIds: [ids[0]], remove: ['bad key'] },
      { agentIds: [ids[0]], set: { a: 'b' }, labels: {} },
    ];
    for (const body of bad) {
      const res = await client.post('/agents/labels', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('needs agents:write: a read-only member is refused', async () => {
    const reader = await createTeamMember(t.server, t.token, {
      username: 'reader',
      team: 'readers',
      project: 'default',
      access: 'read-only',
    });
    const res = await api(t.server, reader.token).post('/agents/labels', { agentIds: [ids[3]], set: { a: 'b' } });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await labelsOf(ids[3]!)).toEqual({ role: 'db', old: 'yes' });
  });
});
