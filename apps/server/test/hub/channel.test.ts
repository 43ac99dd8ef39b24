import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChannelCloseCode, JobPayloadSchema, MAX_AGENT_FRAME_BYTES } from '@flotilla/protocol';
import { startTestServer, listenForAgents } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, eventually, WORKFLOW } from '../helpers/api.js';
import { connectAgent, createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import type { TestAgentIdentity, TestChannel } from '../helpers/test-agent.js';
import { verifyEd25519 } from '@flotilla/node-kit';

describe('agent channel after the handshake', () => {
  let t: TestServer;
  let url: string;
  let client: ReturnType<typeof api>;
  const open: TestChannel[] = [];
  let counter = 0;

  beforeAll(async () => {
    t = await startTestServer();
    url = await listenForAgents(t);
    client = api(t.server, t.token);
  });
  afterEach(() => {
    for (const channel of open.splice(0)) channel.close();
  });
  afterAll(() => t.close());

  async function connected(): Promise<{ agent: TestAgentIdentity; channel: TestChannel }> {
    const agent = await enrollAgent(t.server, {
      token: await createEnrollmentToken(t.server, t.token),
      name: `agent-${++counter}`,
    });
    const { channel, result } = await connectAgent(url, agent);
    expect(result.type).toBe('welcome');
    open.push(channel);
    return { agent, channel };
  }

  it('offers a job in an envelope signed by the key the agent pinned at enrolment', async () => {
    const { agent, channel } = await connected();
    const res = await client.post('/jobs', {
      workflow: WORKFLOW,
      target: { agent: agent.agentId },
      inputs: { who: 'world' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'dispatched', runs: [{ state: 'dispatched', agentId: agent.agentId }] });
    const { envelope } = await channel.next('job.offer');
    expect(verifyEd25519(agent.serverPublicKey, envelope.payload, envelope.signature)).toBe(true);
    const tampered = envelope.payload.replace('world', 'w0rld');
    expect(verifyEd25519(agent.serverPublicKey, tampered, envelope.signature)).toBe(false);
    const payload = JobPayloadSchema.parse(JSON.parse(envelope.payload));
    expect(payload).toMatchObject({
      jobId: res.body.id,
      runId: res.body.runs[0].id,
      agentId: agent.agentId,
      workflow: WORKFLOW,
      inputs: { who: 'world' },
    });
    expect(channel.all('job.offer')).toHaveLength(1);
  });

  it('delivers runs queued while the agent was offline when it connects', async () => {
    const agent = await enrollAgent(t.server, {
      token: await createEnrollmentToken(t.server, t.token),
      name: 'late-1',
    });
    const res = await client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'late-1' } });
    expect(res.body.state).toBe('queued');
    const { channel } = await connectAgent(url, agent);
    open.push(channel);
    const offer = await channel.next('job.offer');
    expect(JSON.parse(offer.envelope.payload).jobId).toBe(res.body.id);
    await eventually(async () => (await client.get(`/jobs/${res.body.id}`)).body.state === 'dispatched');
  });

  it('stores events once, acks cumulatively, and tracks the run to its end', async () => {
    const { agent, channel } = await connected();
    const updates: string[] = [];
    const stopWatching = t.server.events.subscribe('run.changed', (u) => updates.push(u.runState));
    const job = (await client.post('/jobs', { workflow: WORKFLOW, target: { agent: agent.agentId } })).body;
    const runId: string = job.runs[0].id;
    await channel.next('job.offer');
    channel.send({ type: 'job.ack', runId });
    await eventually(async () => (await client.get(`/jobs/${job.id}`)).body.state === 'running');

    const ts = new Date().toISOString();
    const event = (seq: number, e: Record<string, unknown>) =>
      channel.send({ type: 'run.event', seq, runId, event: { ts, ...e } });
    event(1, { kind: 'run.started' });
    expect(await channel.next('event.ack')).toEqual({ type: 'event.ack', seq: 1 });
    event(2, { kind: 'step.started', step: 'say', attempt: 1 });
    expect((await channel.next('event.ack')).seq).toBe(2);
    event(3, { kind: 'log', step: 'say', stream: 'stdout', line: 'hi' });
    expect((await channel.next('event.ack')).seq).toBe(3);
    event(3, { kind: 'log', step: 'say', stream: 'stdout', line: 'hi' });
    expect((await channel.next('event.ack')).seq).toBe(3);
    // (Events beyond a gap end the session: hub/event-delivery.test.ts.)
    event(4, { kind: 'log', step: 'say', stream: 'stderr', line: 'warn' });
    expect((await channel.next('event.ack')).seq).toBe(4);
    event(5, { kind: 'step.finished', step: 'say', status: 'succeeded', exitCode: 0 });
    expect((await channel.next('event.ack')).seq).toBe(5);
    event(6, { kind: 'run.finished', state: 'succeeded', exitCode: 0 });
    expect((await channel.next('event.ack')).seq).toBe(6);

    stopWatching();
    // run.started on a running run still announces (its startedAt changed), hence the Set.
    expect([...new Set(updates)]).toEqual(['dispatched', 'running', 'succeeded']);
    const final = (await client.get(`/jobs/${job.id}`)).body;
    expect(final).toMatchObject({ state: 'succeeded', runs: [{ state: 'succeeded', exitCode: 0, error: null }] });
    expect(final.runs[0].finishedAt).toBe(ts);
    const logs = (await client.get(`/jobs/${job.id}/logs`)).body;
    expect(logs.items.map((l: { line: string; stream: string; seq: number }) => [l.seq, l.stream, l.line])).toEqual([
      [1, 'stdout', 'hi'],
      [2, 'stderr', 'warn'],
    ]);
    expect(logs.nextCursor).toBeNull();

    // On reconnect the agent learns where to resume its outbox.
    channel.close();
    const again = await connectAgent(url, agent);
    open.push(again.channel);
    expect(again.result).toMatchObject({ type: 'welcome', lastEventSeq: 6 });
  });

  it('fails a run the agent rejects, keeping the reason', async () => {
    const { agent, channel } = await connected();
    const job = (await client.post('/jobs', { workflow: WORKFLOW, target: { agent: agent.agentId } })).body;
    await channel.next('job.offer');
    channel.send({
      type: 'job.reject',
      runId: job.runs[0].id,
      code: 'ENVELOPE_SIGNATURE_INVALID',
      message: 'bad signature',
    });
    await eventually(async () => (await client.get(`/jobs/${job.id}`)).body.state === 'failed');
    expect((await client.get(`/jobs/${job.id}`)).body.runs[0].error).toMatchObject({
      code: 'ENVELOPE_SIGNATURE_INVALID',
      retryable: false,
    });
  });

  it('answers invalid frames with PROTOCOL_ERROR, counts them, and keeps serving', async () => {
    const { channel } = await connected();
    const before = t.server.hub.stats.protocolErrors;
    channel.send('not json at all');
    channel.send({ type: 'no-such-frame' });
    channel.send({ type: 'ping' });
    channel.send({ type: 'run.event', seq: -1, runId: 'r', event: { kind: 'log' } });
    channel.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    for (let i = 0; i < 5; i++) expect(await channel.next('error')).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(t.server.hub.stats.protocolErrors - before).toBe(5);
    channel.send({ type: 'ping', ts: 42 });
    expect(await channel.next('pong')).toEqual({ type: 'pong', ts: 42 });
    expect((await client.get('/agents')).status).toBe(200);
  });

  it('closes a connection after 20 invalid frames (4400)', async () => {
    const { channel } = await connected();
    for (let i = 0; i < 20; i++) channel.send('{');
    expect((await channel.closed).code).toBe(ChannelCloseCode.protocolError);
  });

  /** A `run.event` log frame whose JSON text is exactly `bytes` bytes of UTF-8, padded with CJK (3 bytes a character). */
  function logFrameOfBytes(seq: number, bytes: number): string {
    const frame = (line: string) => ({
      type: 'run.event',
      seq,
      runId: 'run_unknown',
      event: { kind: 'log', ts: new Date().toISOString(), step: 's', stream: 'stdout', line },
    });
    const missing = bytes - Buffer.byteLength(JSON.stringify(frame('')));
    const text = JSON.stringify(frame('漢'.repeat(Math.floor(missing / 3)) + 'x'.repeat(missing % 3)));
    expect(Buffer.byteLength(text)).toBe(bytes);
    return text;
  }

  it('takes a frame of exactly MAX_AGENT_FRAME_BYTES bytes of multibyte text', async () => {
    const { channel } = await connected();
    channel.send(logFrameOfBytes(1, MAX_AGENT_FRAME_BYTES));
    expect((await channel.next('event.ack')).seq).toBe(1);
  });

  // Regression: a frame over the limit only got a bare 1009 close, so the agent could not tell
  // why, and replayed it forever. Measured in bytes: this frame is 350 Ki UTF-16 code units.
  it('answers a frame one byte over the limit with FRAME_TOO_LARGE, after handling the frames before it, then closes 1009', async () => {
    const { channel } = await connected();
    channel.send(logFrameOfBytes(1, 1000));
    channel.send(logFrameOfBytes(2, MAX_AGENT_FRAME_BYTES + 1));
    expect((await channel.next('event.ack')).seq).toBe(1);
    expect(await channel.next('error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    expect((await channel.closed).code).toBe(ChannelCloseCode.messageTooBig);
    expect(channel.all('event.ack')).toHaveLength(1);
  });

  it('closes with 1009 on a frame too large to buffer at all', async () => {
    const { channel } = await connected();
    channel.send({ type: 'ping', ts: 1, pad: 'x'.repeat(4 * MAX_AGENT_FRAME_BYTES) });
    expect((await channel.closed).code).toBe(1009);
  });

  it('ignores events for runs the agent does not own, but acknowledges them', async () => {
    const owner = await connected();
    const job = (await client.post('/jobs', { workflow: WORKFLOW, target: { agent: owner.agent.agentId } })).body;
    const intruder = await connected();
    intruder.channel.send({
      type: 'run.event',
      seq: 1,
      runId: job.runs[0].id,
      event: { kind: 'run.finished', ts: new Date().toISOString(), state: 'failed', exitCode: 1 },
    });
    expect((await intruder.channel.next('event.ack')).seq).toBe(1);
    expect((await client.get(`/jobs/${job.id}`)).body.state).toBe('dispatched');
  });
});

describe('agent channel liveness', () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await startTestServer({ pingIntervalMs: '100ms', missedBeatsBeforeOffline: 2 });
    url = await listenForAgents(t);
  });
  afterAll(() => t.close());

  it('pings at the configured interval and drops a silent agent, marking it offline', async () => {
    const agent = await enrollAgent(t.server, {
      token: await createEnrollmentToken(t.server, t.token),
      name: 'silent',
    });
    const { channel, result } = await connectAgent(url, agent);
    expect(result).toMatchObject({ type: 'welcome', pingIntervalMs: 100 });
    await channel.next('ping', 1000);
    await channel.closed;
    const client = api(t.server, t.token);
    await eventually(async () => (await client.get(`/agents/${agent.agentId}`)).body.status === 'offline');
  });

  it('keeps an agent that answers', async () => {
    const agent = await enrollAgent(t.server, {
      token: await createEnrollmentToken(t.server, t.token),
      name: 'chatty',
    });
    const { channel } = await connectAgent(url, agent);
    const timer = setInterval(() => channel.send({ type: 'pong', ts: Date.now() }), 50);
    await new Promise((r) => setTimeout(r, 600));
    clearInterval(timer);
    expect(t.server.hub.isConnected(agent.agentId)).toBe(true);
    channel.close();
  });
});
