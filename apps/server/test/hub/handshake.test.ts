import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelCloseCode, MIN_AGENT_PROTOCOL_VERSION, PROTOCOL_VERSION, serverAuthMessage } from '@flotilla/protocol';
import { startTestServer, listenForAgents } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, eventually, WORKFLOW } from '../helpers/api.js';
import { connectAgent, createEnrollmentToken, enrollAgent, newAgentKey, TestChannel } from '../helpers/test-agent.js';
import { verifyEd25519 } from '@flotilla/node-kit';

describe('agent channel handshake', () => {
  let t: TestServer;
  let url: string;
  let client: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestServer({ helloTimeoutMs: 300 });
    url = await listenForAgents(t);
    client = api(t.server, t.token);
  });
  afterAll(() => t.close());

  const enroll = async (name: string, policy: 'auto-approve' | 'require-approval' = 'auto-approve') =>
    enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token, { policy }), name });

  it('sends a challenge with the server key id and protocol version', async () => {
    const channel = await TestChannel.open(url);
    const challenge = await channel.next('challenge');
    expect(challenge).toMatchObject({ serverKeyId: t.server.serverKey.keyId, protocolVersion: PROTOCOL_VERSION });
    expect(challenge.nonce.length).toBeGreaterThanOrEqual(16);
    channel.close();
  });

  it('welcomes a good agent with a server signature the agent can verify, and marks it online', async () => {
    const agent = await enroll('good-1');
    const { channel, result, nonce } = await connectAgent(url, agent);
    expect(result.type).toBe('welcome');
    if (result.type !== 'welcome') return;
    expect(result.pingIntervalMs).toBe(15_000);
    expect(result.lastEventSeq).toBe(0);
    const ok = verifyEd25519(agent.serverPublicKey, serverAuthMessage(nonce, agent.agentId), result.signature);
    expect(ok).toBe(true);
    await eventually(async () => (await client.get(`/agents/${agent.agentId}`)).body.status === 'online');
    expect((await client.get(`/agents/${agent.agentId}`)).body.version).toBe('0.1.0-test');
    channel.close();
    await eventually(async () => (await client.get(`/agents/${agent.agentId}`)).body.status === 'offline');
  });

  it('refuses a signature made with the wrong key (AGENT_AUTH_FAILED, 4401)', async () => {
    const agent = await enroll('wrong-key');
    const { channel, result } = await connectAgent(url, agent, { signWith: newAgentKey().privateKey });
    expect(result).toMatchObject({ type: 'refused', code: 'AGENT_AUTH_FAILED' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.authFailed);
  });

  it('refuses an unknown agent id the same way', async () => {
    const { channel, result } = await connectAgent(url, { agentId: 'agt_doesnotexist00', key: newAgentKey() });
    expect(result).toMatchObject({ type: 'refused', code: 'AGENT_AUTH_FAILED' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.authFailed);
  });

  it('refuses a protocol version it does not speak, naming the versions and which side to upgrade (4426)', async () => {
    const cases = [
      { name: 'new-proto', version: PROTOCOL_VERSION + 1, upgrade: 'upgrade the control plane' },
      { name: 'old-proto', version: MIN_AGENT_PROTOCOL_VERSION - 1, upgrade: 'upgrade the agent' },
    ];
    for (const { name, version, upgrade } of cases) {
      const agent = await enroll(name);
      const { channel, result } = await connectAgent(url, agent, { protocolVersion: version });
      expect(result).toMatchObject({ type: 'refused', code: 'PROTOCOL_VERSION_UNSUPPORTED' });
      if (result.type === 'refused') {
        expect(result.message).toContain(String(version));
        expect(result.message).toContain(String(PROTOCOL_VERSION));
        expect(result.message).toContain(upgrade);
      }
      expect((await channel.closed).code).toBe(ChannelCloseCode.versionUnsupported);
    }
  });

  it(`welcomes an agent of protocol version ${MIN_AGENT_PROTOCOL_VERSION}, the oldest it serves`, async () => {
    const agent = await enroll('oldest-proto');
    const { channel, result } = await connectAgent(url, agent, { protocolVersion: MIN_AGENT_PROTOCOL_VERSION });
    expect(result.type).toBe('welcome');
    channel.close();
  });

  it('refuses a pending agent and sends it no job; after approval it gets the queued job', async () => {
    const agent = await enroll('pending-1', 'require-approval');
    expect(agent.status).toBe('pending');
    const job = await client.post('/jobs', { workflow: WORKFLOW, target: { agent: agent.agentId } });
    expect(job.status).toBe(201);
    expect(job.body.state).toBe('queued');

    const { channel, result } = await connectAgent(url, agent);
    expect(result).toMatchObject({ type: 'refused', code: 'AGENT_NOT_APPROVED' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.forbidden);
    expect(channel.all('job.offer')).toEqual([]);
    expect((await client.get(`/agents/${agent.agentId}`)).body.status).toBe('pending');

    expect((await client.post(`/agents/${agent.agentId}/approve`)).body.status).toBe('offline');
    const again = await connectAgent(url, agent);
    expect(again.result.type).toBe('welcome');
    const offer = await again.channel.next('job.offer');
    expect(JSON.parse(offer.envelope.payload)).toMatchObject({ jobId: job.body.id, agentId: agent.agentId });
    again.channel.close();
  });

  it('refuses a revoked agent, and revoking closes a live connection at once', async () => {
    const agent = await enroll('revoke-1');
    const { channel, result } = await connectAgent(url, agent);
    expect(result.type).toBe('welcome');
    const started = Date.now();
    expect((await client.post(`/agents/${agent.agentId}/revoke`)).body.status).toBe('revoked');
    expect(await channel.next('refused')).toMatchObject({ code: 'AGENT_REVOKED' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.forbidden);
    expect(Date.now() - started).toBeLessThan(1000);
    const again = await connectAgent(url, agent);
    expect(again.result).toMatchObject({ type: 'refused', code: 'AGENT_REVOKED' });
  });

  it('replaces an older connection of the same agent (4409) and stays online', async () => {
    const agent = await enroll('dup-1');
    const first = await connectAgent(url, agent);
    const second = await connectAgent(url, agent);
    expect(second.result.type).toBe('welcome');
    expect((await first.channel.closed).code).toBe(ChannelCloseCode.replaced);
    await new Promise((r) => setTimeout(r, 50));
    expect((await client.get(`/agents/${agent.agentId}`)).body.status).toBe('online');
    expect(t.server.hub.isConnected(agent.agentId)).toBe(true);
    second.channel.close();
  });

  it('refuses a connection that never says hello', async () => {
    const channel = await TestChannel.open(url);
    expect(await channel.next('refused', 2000)).toMatchObject({ code: 'AGENT_AUTH_FAILED' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.authFailed);
  });

  it('answers frames sent before hello with PROTOCOL_ERROR', async () => {
    const channel = await TestChannel.open(url);
    channel.send({ type: 'ping', ts: 1 });
    expect(await channel.next('error')).toMatchObject({ code: 'PROTOCOL_ERROR' });
    channel.close();
  });
});
