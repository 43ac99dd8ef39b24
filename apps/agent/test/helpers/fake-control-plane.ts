/**
 * A protocol-level stand-in for the control plane, used ONLY where a unit test must make the
 * peer misbehave in ways the real server never does (forged welcome, garbage frames, silence,
 * tampered envelopes). It speaks the real protocol over a real HTTP + WebSocket server on
 * port 0; the end-to-end suite in /test/e2e runs the agent against the real `@flotilla/server`.
 */
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomBytes, sign, verify, createPublicKey, type KeyObject } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  AgentFrameSchema,
  PROTOCOL_VERSION,
  agentAuthMessage,
  serverAuthMessage,
  type Failure,
  type AgentFrame,
  type ErrorCode,
  type JobPayload,
} from '@flotilla/protocol';

export type HandshakeMode = 'welcome' | 'bad-welcome-signature' | { refuse: ErrorCode } | 'silent';

/** A received agent frame, loosely typed for assertions (unparseable ones arrive as `invalid`). */
export interface ReceivedFrame {
  type: string;
  runId?: string;
  seq?: number;
  code?: string;
  ts?: number;
  nonce?: string;
  event?: {
    kind: string;
    state?: string;
    status?: string;
    attempt?: number;
    exitCode?: number | null;
    line?: string;
    step?: string;
    stream?: string;
    error?: Failure;
    outputs?: Record<string, unknown>;
  };
  [key: string]: unknown;
}

export interface FakeSession {
  readonly ws: WebSocket;
  /** Frames received; the events of a `run.events` batch appear as individual `run.event` frames. */
  readonly frames: ReceivedFrame[];
  /** How many `run.events` batch frames arrived. */
  batches: number;
  /** Waits for the first received frame (past or future) matching `match`. */
  waitFor(match: (frame: ReceivedFrame) => boolean, timeoutMs?: number): Promise<ReceivedFrame>;
  send(frame: unknown): void;
  sendRaw(text: string): void;
}

export interface FakeControlPlane {
  readonly url: string;
  readonly keyId: string;
  readonly publicKeyB64: string;
  /** The agent's key, once enrolled. */
  agentPublicKey: KeyObject | undefined;
  agentId: string;
  handshake: HandshakeMode;
  pingIntervalMs: number;
  /** Answer pings and ack events? Set false to simulate a hung peer. */
  responsive: boolean;
  /** Highest run-event seq acknowledged so far (sent as `welcome.lastEventSeq`). */
  lastEventSeq: number;
  enrollAnswer: (body: any) => { status: number; json: unknown };
  readonly sessions: FakeSession[];
  readonly connections: number;
  nextSession(timeoutMs?: number): Promise<FakeSession>;
  /** Signs a payload with the control-plane key (or another key to forge). */
  envelope(
    payload: Partial<JobPayload> & { runId: string; workflow: string },
    key?: KeyObject,
  ): { payload: string; signature: string };
  close(): Promise<void>;
}

export async function startFakeControlPlane(): Promise<FakeControlPlane> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyB64 = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/v1/agents/enroll') {
        res.writeHead(404).end();
        return;
      }
      const parsed = JSON.parse(body);
      const answer = cp.enrollAnswer(parsed);
      if (answer.status < 300) {
        cp.agentPublicKey = createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(parsed.publicKey, 'base64').toString('base64url') },
          format: 'jwk',
        });
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
    });
  });
  const wss = new WebSocketServer({ server: http, path: '/agent/v1/connect' });
  const waiters: ((s: FakeSession) => void)[] = [];
  let connections = 0;
  let handedOut = 0;

  const cp: FakeControlPlane = {
    url: '',
    keyId: 'key-1',
    publicKeyB64,
    agentPublicKey: undefined,
    agentId: 'agent-1',
    handshake: 'welcome',
    pingIntervalMs: 60_000,
    responsive: true,
    lastEventSeq: 0,
    enrollAnswer: () => ({
      status: 201,
      json: { agentId: cp.agentId, status: 'approved', serverPublicKey: publicKeyB64, serverKeyId: cp.keyId },
    }),
    sessions: [],
    get connections() {
      return connections;
    },
    nextSession(timeoutMs = 5000) {
      // Sessions are handed out in order, each once, whether they started before or after the call.
      const ready = cp.sessions[handedOut];
      if (ready !== undefined) {
        handedOut += 1;
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          reject(new Error('no agent session'));
        }, timeoutMs);
        waiters.push((s) => {
          handedOut += 1;
          clearTimeout(t);
          resolve(s);
        });
      });
    },
    envelope(partial, key = privateKey) {
      const payload = JSON.stringify({
        jobId: 'job-1',
        agentId: cp.agentId,
        inputs: {},
        issuedAt: new Date().toISOString(),
        ...partial,
      });
      return { payload, signature: sign(null, Buffer.from(payload), key).toString('base64') };
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => {
        wss.close(r);
      });
      await new Promise((r) => http.close(r));
    },
  };

  wss.on('connection', (ws) => {
    connections += 1;
    const frames: ReceivedFrame[] = [];
    const listeners: (() => boolean)[] = [];
    const session: FakeSession = {
      ws,
      frames,
      batches: 0,
      waitFor(match, timeoutMs = 5000) {
        return new Promise((resolve, reject) => {
          const check = (): boolean => {
            const found = frames.find(match);
            if (found === undefined) return false;
            clearTimeout(t);
            resolve(found);
            return true;
          };
          const t = setTimeout(() => {
            reject(new Error('frame not received'));
          }, timeoutMs);
          if (!check()) listeners.push(check);
        });
      },
      send: (frame) => {
        ws.send(JSON.stringify(frame));
      },
      sendRaw: (text) => {
        ws.send(text);
      },
    };
    const nonce = randomBytes(32).toString('base64url');
    ws.send(JSON.stringify({ type: 'challenge', nonce, serverKeyId: cp.keyId, protocolVersion: PROTOCOL_VERSION }));
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const parsed = AgentFrameSchema.safeParse(JSON.parse(text));
      if (!parsed.success) frames.push({ type: 'invalid', text });
      else if (parsed.data.type === 'run.events') {
        // a batch is recorded as its events, in order, so assertions read one stream of events
        session.batches += 1;
        for (const item of parsed.data.items) frames.push({ type: 'run.event', ...item });
      } else frames.push(parsed.data);
      for (const listener of [...listeners]) {
        if (listener()) listeners.splice(listeners.indexOf(listener), 1);
      }
      if (!parsed.success) return;
      onFrame(parsed.data);
    });
    const onFrame = (frame: AgentFrame): void => {
      if (frame.type === 'hello') {
        const ok =
          cp.agentPublicKey !== undefined &&
          verify(
            null,
            Buffer.from(agentAuthMessage(nonce, frame.agentId, cp.keyId)),
            cp.agentPublicKey,
            Buffer.from(frame.signature, 'base64'),
          );
        const mode = cp.handshake;
        if (!ok) {
          ws.send(JSON.stringify({ type: 'refused', code: 'AGENT_AUTH_FAILED', message: 'bad signature' }));
          ws.close(4401);
        } else if (mode === 'silent') {
          return;
        } else if (typeof mode === 'object') {
          ws.send(JSON.stringify({ type: 'refused', code: mode.refuse, message: `refused: ${mode.refuse}` }));
          ws.close(4403);
        } else {
          const key = mode === 'welcome' ? privateKey : generateKeyPairSync('ed25519').privateKey;
          const signature = sign(null, Buffer.from(serverAuthMessage(frame.nonce, frame.agentId)), key).toString(
            'base64',
          );
          ws.send(
            JSON.stringify({
              type: 'welcome',
              signature,
              pingIntervalMs: cp.pingIntervalMs,
              lastEventSeq: cp.lastEventSeq,
            }),
          );
          cp.sessions.push(session);
          waiters.shift()?.(session);
        }
      } else if (frame.type === 'ping' && cp.responsive) {
        ws.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
      } else if (frame.type === 'run.event' && cp.responsive) {
        cp.lastEventSeq = Math.max(cp.lastEventSeq, frame.seq);
        ws.send(JSON.stringify({ type: 'event.ack', seq: frame.seq }));
      } else if (frame.type === 'run.events' && cp.responsive) {
        const last = frame.items.at(-1)?.seq ?? 0;
        cp.lastEventSeq = Math.max(cp.lastEventSeq, last);
        ws.send(JSON.stringify({ type: 'event.ack', seq: last }));
      }
    };
  });

  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  (cp as { url: string }).url = `http://127.0.0.1:${address.port}`;
  return cp;
}
