import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollProofMessage, FLOTILLA_VERSION, MAX_AGENT_FRAME_BYTES, PROTOCOL_VERSION } from '@flotilla/protocol';
import { verifyEd25519 } from '@flotilla/node-kit';
import { agentHarness } from './helpers/agent-harness.js';
import { eventually } from './helpers/temp-dir.js';

const h = agentHarness();
afterEach(() => h.cleanup());

describe('enrolment', () => {
  it('enrols once, pins the server key, and reuses the identity on restart', async () => {
    const cp = await h.controlPlane();
    const requests: any[] = [];
    const answer = cp.enrollAnswer;
    cp.enrollAnswer = (body) => (requests.push(body), answer(body));
    const dataDir = await h.dirs.make();
    const agent = await h.agent(cp, dataDir, { labels: { role: 'web' } });
    expect(agent.agentId).toBe('agent-1');
    expect(requests).toEqual([
      {
        token: 'enrol-token',
        publicKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
        name: 'a1',
        labels: { role: 'web' },
        facts: {
          hostname: expect.any(String),
          os: process.platform,
          arch: process.arch,
          agentVersion: FLOTILLA_VERSION,
        },
        proof: {
          version: 1,
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
          signature: expect.any(String),
        },
      },
    ]);
    // The proof is the agent key's signature of the whole request (the token by its digest).
    const [request] = requests;
    const message = enrollProofMessage({
      ...request,
      tokenDigest: createHash('sha256').update('enrol-token').digest('hex'),
      timestamp: request.proof.timestamp,
    });
    expect(verifyEd25519(request.publicKey, message, request.proof.signature)).toBe(true);
    const state = JSON.parse(await readFile(join(dataDir, 'agent.json'), 'utf8'));
    expect(state).toMatchObject({ agentId: 'agent-1', serverPublicKey: cp.publicKeyB64, serverKeyId: 'key-1' });
    expect((await stat(join(dataDir, 'agent.json'))).mode & 0o777).toBe(0o600);
    await cp.nextSession();
    await agent.stop();

    const again = await h.agent(cp, dataDir, { token: undefined });
    await cp.nextSession();
    await eventually(() => again.stats().connected);
    expect(requests).toHaveLength(1);
  });

  it('surfaces a refused enrolment as a fatal error with the problem code, without retrying', async () => {
    const cp = await h.controlPlane();
    let calls = 0;
    cp.enrollAnswer = () => {
      calls += 1;
      return { status: 401, json: { type: 'x', title: 't', status: 401, code: 'ENROLLMENT_TOKEN_INVALID' } };
    };
    await expect(h.agent(cp, await h.dirs.make())).rejects.toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID' });
    expect(calls).toBe(1);
  });

  it('retries enrolment while the server is unavailable', async () => {
    const cp = await h.controlPlane();
    let calls = 0;
    const answer = cp.enrollAnswer;
    cp.enrollAnswer = (body) => (++calls < 3 ? { status: 503, json: {} } : answer(body));
    const agent = await h.agent(cp, await h.dirs.make());
    expect(calls).toBe(3);
    expect(agent.agentId).toBe('agent-1');
  });

  it('needs --token on first start', async () => {
    const cp = await h.controlPlane();
    const err = await h.agent(cp, await h.dirs.make(), { token: undefined }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((err as Error).message).toContain('--token');
  });
});

describe('handshake', () => {
  it('completes the mutual handshake and answers server pings', async () => {
    const cp = h.peer();
    const agent = await h.agent(cp, await h.dirs.make());
    const session = await cp.nextSession();
    const hello = await session.waitFor((f) => f.type === 'hello');
    expect(hello).toMatchObject({
      agentId: 'agent-1',
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: FLOTILLA_VERSION,
    });
    expect(Buffer.from(hello.nonce!, 'base64url')).toHaveLength(32);
    session.send({ type: 'ping', ts: 42 });
    await session.waitFor((f) => f.type === 'pong' && f.ts === 42);
    expect(agent.stats()).toMatchObject({ connected: true, protocolErrors: 0 });
  });

  it('sends its own pings at the interval the server dictates', async () => {
    const cp = h.peer();
    cp.pingIntervalMs = 50;
    await h.agent(cp, await h.dirs.make());
    const session = await cp.nextSession();
    await session.waitFor((f) => f.type === 'ping');
  });

  it('stops with AGENT_AUTH_FAILED when the welcome is not signed by the pinned key', async () => {
    const cp = h.peer();
    cp.handshake = 'bad-welcome-signature';
    const agent = await h.agent(cp, await h.dirs.make());
    await expect(agent.done).rejects.toMatchObject({ code: 'AGENT_AUTH_FAILED' });
    expect(agent.stats().connected).toBe(false);
    expect(cp.connections).toBe(1);
  });

  it('stops with AGENT_AUTH_FAILED when the server presents another key id', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    await (await h.agent(cp, dataDir)).stop();
    cp.keyId = 'key-2';
    const agent = await h.agent(cp, dataDir);
    await expect(agent.done).rejects.toMatchObject({ code: 'AGENT_AUTH_FAILED' });
  });

  it.each(['AGENT_REVOKED', 'PROTOCOL_VERSION_UNSUPPORTED', 'AGENT_AUTH_FAILED'] as const)(
    'stops for good when refused with %s',
    async (code) => {
      const cp = h.peer();
      cp.handshake = { refuse: code };
      const agent = await h.agent(cp, await h.dirs.make());
      await expect(agent.done).rejects.toMatchObject({ code });
      await new Promise((r) => setTimeout(r, 300));
      expect(cp.connections).toBe(1);
    },
  );

  it('keeps retrying while not approved, then connects', async () => {
    const cp = h.peer();
    cp.handshake = { refuse: 'AGENT_NOT_APPROVED' };
    const agent = await h.agent(cp, await h.dirs.make());
    await eventually(() => cp.connections >= 3);
    cp.handshake = 'welcome';
    await cp.nextSession(3000);
    await eventually(() => agent.stats().connected);
    expect(agent.stats().reconnects).toBeGreaterThanOrEqual(2);
  });
});

describe('robustness', () => {
  it('answers malformed frames with PROTOCOL_ERROR, counts them, and keeps the session', async () => {
    // over a real socket: a binary message is one thing only a WebSocket can carry
    const cp = await h.controlPlane();
    const agent = await h.agent(cp, await h.dirs.make());
    const session = await cp.nextSession();
    session.sendRaw('garbage{');
    session.sendRaw(JSON.stringify({ type: 'nope' }));
    session.sendRaw(JSON.stringify({ type: 'event.ack', seq: -1 }));
    cp.sockets.at(-1)!.send(Buffer.from([1, 2, 3]), { binary: true });
    session.send({ type: 'challenge', nonce: 'x'.repeat(20), serverKeyId: 'key-1', protocolVersion: 1 });
    await eventually(() => session.frames.filter((f: any) => f.type === 'error').length === 5);
    expect(session.frames.filter((f: any) => f.type === 'error').every((f: any) => f.code === 'PROTOCOL_ERROR')).toBe(
      true,
    );
    expect(agent.stats().protocolErrors).toBe(5);
    session.send({ type: 'ping', ts: 7 });
    await session.waitFor((f) => f.type === 'pong' && f.ts === 7);
    expect(agent.stats().connected).toBe(true);
  });

  it('declares a silent connection dead after 3 missed beats and reconnects', async () => {
    const cp = h.peer();
    cp.pingIntervalMs = 60;
    cp.responsive = false;
    const agent = await h.agent(cp, await h.dirs.make());
    await cp.nextSession();
    await cp.nextSession(3000);
    expect(agent.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('takes FRAME_TOO_LARGE and the 1009 close after it as one refusal: frames halve once, then it reconnects', async () => {
    const cp = h.peer();
    const agent = await h.agent(cp, await h.dirs.make());
    expect(agent.stats().outboxFrameBytes).toBe(MAX_AGENT_FRAME_BYTES);
    const first = await cp.nextSession();
    first.send({ type: 'error', code: 'FRAME_TOO_LARGE', message: 'a frame of 1500000 bytes is over the limit' });
    await first.close(1009, 'FRAME_TOO_LARGE');
    await cp.nextSession(3000);
    await eventually(() => agent.stats().connected);
    expect(agent.stats().outboxFrameBytes).toBe(MAX_AGENT_FRAME_BYTES / 2);
  });

  it('takes a bare 1009 close (a proxy in between) as a refusal too', async () => {
    const cp = h.peer();
    const agent = await h.agent(cp, await h.dirs.make());
    await (await cp.nextSession()).close(1009);
    await cp.nextSession(3000);
    await eventually(() => agent.stats().connected);
    expect(agent.stats().outboxFrameBytes).toBe(MAX_AGENT_FRAME_BYTES / 2);
  });

  it('reconnects with backoff after the server drops the socket', async () => {
    const cp = h.peer();
    const agent = await h.agent(cp, await h.dirs.make());
    const first = await cp.nextSession();
    await first.close();
    await cp.nextSession(3000);
    await eventually(() => agent.stats().connected);
    expect(agent.stats().reconnects).toBe(1);
  });
});
