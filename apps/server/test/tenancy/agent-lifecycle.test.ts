import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, listenForAgents } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, eventually } from '../helpers/api.js';
import { connectAgent, createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import type { TestChannel } from '../helpers/test-agent.js';

describe('agent trust lifecycle', () => {
  let t: TestServer;
  let url: string;
  let admin: ReturnType<typeof api>;
  const open: TestChannel[] = [];
  let counter = 0;

  beforeAll(async () => {
    t = await startTestServer();
    url = await listenForAgents(t);
    admin = api(t.server, t.token);
  });
  afterEach(() => {
    for (const channel of open.splice(0)) channel.close();
  });
  afterAll(() => t.close());

  const enroll = async (policy: 'auto-approve' | 'require-approval' = 'auto-approve') =>
    enrollAgent(t.server, {
      token: await createEnrollmentToken(t.server, t.token, { policy }),
      name: `node-${++counter}`,
    });

  async function online() {
    const agent = await enroll();
    const { channel, result } = await connectAgent(url, agent);
    open.push(channel);
    expect(result.type).toBe('welcome');
    return { agent, channel };
  }

  /** Milliseconds from `action` until the server closes the channel. */
  async function closesWithin(channel: TestChannel, action: () => Promise<unknown>): Promise<number> {
    const started = Date.now();
    await action();
    await Promise.race([
      channel.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('still connected after 1 s')), 1000)),
    ]);
    return Date.now() - started;
  }

  it('lists the pending queue and rejects a pending agent', async () => {
    const pending = await enroll('require-approval');
    await enroll();
    const queue = (await admin.get('/agents?status=pending')).body.items;
    expect(queue.map((a: { id: string }) => a.id)).toEqual([pending.agentId]);
    const rejected = await admin.post(`/agents/${pending.agentId}/reject`);
    expect(rejected.body.status).toBe('revoked');
    expect((await admin.get('/agents?status=pending')).body.items).toEqual([]);
    expect((await connectAgent(url, pending)).result).toMatchObject({ type: 'refused' });
    expect((await admin.post(`/agents/${pending.agentId}/reject`)).body.code).toBe('CONFLICT');
    expect((await admin.get('/agents?status=bogus')).body.code).toBe('VALIDATION_FAILED');
  });

  it('revoking closes the connection within a second and refuses it afterwards', async () => {
    const { agent, channel } = await online();
    expect(await closesWithin(channel, () => admin.post(`/agents/${agent.agentId}/revoke`))).toBeLessThan(1000);
    const again = await connectAgent(url, agent);
    open.push(again.channel);
    expect(again.result).toMatchObject({ type: 'refused', code: 'AGENT_REVOKED' });
  });

  it('disabling disconnects within a second; enabling lets it back in', async () => {
    const { agent, channel } = await online();
    expect(await closesWithin(channel, () => admin.post(`/agents/${agent.agentId}/disable`))).toBeLessThan(1000);
    expect((await admin.get(`/agents/${agent.agentId}`)).body.status).toBe('disabled');
    const refused = await connectAgent(url, agent);
    open.push(refused.channel);
    expect(refused.result.type).toBe('refused');
    expect((await admin.post(`/agents/${agent.agentId}/enable`)).body.status).toBe('offline');
    const back = await connectAgent(url, agent);
    open.push(back.channel);
    expect(back.result.type).toBe('welcome');
  });

  it('deleting removes the enrolment: the agent is disconnected and unknown afterwards', async () => {
    const { agent, channel } = await online();
    const started = Date.now();
    expect((await admin.delete(`/agents/${agent.agentId}`)).status).toBe(204);
    await eventually(() => channel.ws.readyState === channel.ws.CLOSED, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await admin.get(`/agents/${agent.agentId}`)).body.code).toBe('AGENT_NOT_FOUND');
    const again = await connectAgent(url, agent);
    open.push(again.channel);
    expect(again.result.type).toBe('refused');
  });

  it('edits labels, validating them, and audits every change', async () => {
    const agent = await enroll();
    const patch = (payload: unknown) =>
      t.server.app.inject({
        method: 'PATCH',
        url: `/api/v1/agents/${agent.agentId}`,
        headers: { authorization: `Bearer ${t.token}` },
        payload: payload as object,
      });
    const res = await patch({ labels: { env: 'prod', role: 'web' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().labels).toEqual({ env: 'prod', role: 'web' });
    expect((await patch({ labels: { 'bad key!': 'x' } })).json().code).toBe('VALIDATION_FAILED');
    expect((await patch({ labels: {}, name: 'x' })).json().code).toBe('VALIDATION_FAILED');
    const actions = (await admin.get('/audit?limit=200')).body.items.map((e: { action: string }) => e.action);
    for (const action of [
      'agent.reject',
      'agent.revoke',
      'agent.disable',
      'agent.enable',
      'agent.delete',
      'agent.update',
    ])
      expect(actions).toContain(action);
  });
});
