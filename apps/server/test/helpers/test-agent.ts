import { createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import WebSocket from 'ws';
import { generateEd25519Key, rawPublicKey, signEd25519 } from '@flotilla/node-kit';
import { agentAuthMessage, decodeServerFrame, enrollProofMessage, PROTOCOL_VERSION } from '@flotilla/protocol';
import type { AgentFacts, EnrollProof, ServerFrame } from '@flotilla/protocol';
import type { FlotillaServer } from '@flotilla/server';

/** A fresh Ed25519 key pair with the public key as base64 of the 32 raw bytes. */
export function newAgentKey(): { privateKey: KeyObject; publicKey: string } {
  const privateKey = generateEd25519Key();
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

/** Creates an enrollment token through the API and returns its secret. */
export async function createEnrollmentToken(
  server: FlotillaServer,
  adminToken: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/enrollment-tokens',
    headers: { authorization: `Bearer ${adminToken}` },
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`token creation failed: ${res.body}`);
  return res.json<{ token: string }>().token;
}

export const TEST_FACTS: AgentFacts = { hostname: 'test-host', os: 'linux', arch: 'x64', agentVersion: '0.1.0' };

/**
 * An enrolment request as an agent sends it, with a version-1 proof signed by `key` (or by
 * `signWith`, to forge one) at `timestamp` (default now).
 */
export function signedEnrollment(options: {
  token: string;
  name: string;
  key: { privateKey: KeyObject; publicKey: string };
  labels?: Record<string, string>;
  facts?: AgentFacts;
  timestamp?: string;
  signWith?: KeyObject;
}): {
  token: string;
  publicKey: string;
  name: string;
  labels: Record<string, string>;
  facts: AgentFacts;
  proof: EnrollProof;
} {
  const fields = {
    token: options.token,
    publicKey: options.key.publicKey,
    name: options.name,
    labels: options.labels ?? {},
    facts: options.facts ?? TEST_FACTS,
  };
  const timestamp = options.timestamp ?? new Date().toISOString();
  const tokenDigest = createHash('sha256').update(options.token, 'utf8').digest('hex');
  const message = enrollProofMessage({ ...fields, tokenDigest, timestamp });
  const signature = signEd25519(options.signWith ?? options.key.privateKey, message);
  return { ...fields, proof: { version: 1, timestamp, signature } };
}

/** Enrols a test agent (with a valid proof) and returns its identity. */
export async function enrollAgent(
  server: FlotillaServer,
  options: {
    token: string;
    name: string;
    key?: ReturnType<typeof newAgentKey>;
    labels?: Record<string, string>;
    hostname?: string;
  },
): Promise<TestAgentIdentity> {
  const key = options.key ?? newAgentKey();
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/agents/enroll',
    payload: signedEnrollment({
      ...options,
      key,
      facts: { ...TEST_FACTS, hostname: options.hostname ?? TEST_FACTS.hostname },
    }),
  });
  if (res.statusCode !== 200) throw new Error(`enroll failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ agentId: string; status: string; serverPublicKey: string; serverKeyId: string }>();
  return { ...body, key };
}

export interface TestAgentIdentity {
  agentId: string;
  status: string;
  serverPublicKey: string;
  serverKeyId: string;
  key: ReturnType<typeof newAgentKey>;
}

/** A raw channel client: records every server frame, waits for them by type. */
export class TestChannel {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters: (() => void)[] = [];
  private cursor = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const decoded = decodeServerFrame(data, isBinary);
      if (!decoded.ok) throw new Error(`the server sent an invalid frame: ${decoded.message}`);
      this.frames.push(decoded.frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static open(url: string): Promise<TestChannel> {
    const ws = new WebSocket(url);
    const channel = new TestChannel(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => {
        resolve(channel);
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame of `type` after the previously consumed one; rejects after `timeoutMs`. */
  async next<T extends ServerFrame['type']>(
    type: T | T[],
    timeoutMs = 5000,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    const types: string[] = Array.isArray(type) ? type : [type];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++]!;
        if (types.includes(frame.type)) return frame as Extract<ServerFrame, { type: T }>;
      }
      if (this.ws.readyState === WebSocket.CLOSED)
        throw new Error(`channel closed while waiting for ${types.join('|')}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no ${types.join('|')} frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Frames of a type received so far (consumed or not). */
  all<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens a channel and runs the handshake; returns after `welcome` or `refused`. */
export async function connectAgent(
  url: string,
  agent: { agentId: string; key: { privateKey: KeyObject } },
  options: { protocolVersion?: number; signWith?: KeyObject } = {},
): Promise<{ channel: TestChannel; result: Extract<ServerFrame, { type: 'welcome' | 'refused' }>; nonce: string }> {
  const channel = await TestChannel.open(url);
  const challenge = await channel.next('challenge');
  const nonce = randomBytes(24).toString('base64url');
  const message = agentAuthMessage(challenge.nonce, agent.agentId, challenge.serverKeyId);
  channel.send({
    type: 'hello',
    agentId: agent.agentId,
    protocolVersion: options.protocolVersion ?? PROTOCOL_VERSION,
    agentVersion: '0.1.0-test',
    nonce,
    signature: signEd25519(options.signWith ?? agent.key.privateKey, message),
  });
  const result = await channel.next(['welcome', 'refused']);
  return { channel, result, nonce };
}
