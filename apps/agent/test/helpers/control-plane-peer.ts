/**
 * A minimal control plane for agent tests: it speaks the channel protocol on any `Transport`
 * (challenge, verified hello, welcome or refusal, pongs, cumulative acks) and records what the
 * agent sends. `dial()` gives the agent one end of a linked in-memory pair, so most agent tests
 * need no socket, port or HTTP server at all; `FakeControlPlane` puts the same peer behind a real
 * WebSocket (and enrolment over HTTP) for what needs the network. Tests steer it to misbehave in
 * ways the real server never does (forged welcome, garbage frames, silence, tampered envelopes);
 * the end-to-end suite in /test/e2e runs the agent against the real `@flotilla/server`.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { generateEd25519Key, rawPublicKey, signEd25519, verifyEd25519 } from '@flotilla/node-kit';
import {
  ChannelCloseCode,
  PROTOCOL_VERSION,
  agentAuthMessage,
  createLinkedTransports,
  decodeAgentFrame,
  serverAuthMessage,
  type AgentFrame,
  type Failure,
  type ErrorCode,
  type JobPayload,
  type Transport,
} from '@flotilla/protocol';
import { loadOrCreateAgentKey } from '../../src/identity/agent-key.js';
import { readAgentState, writeAgentState } from '../../src/identity/agent-state.js';

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

/** One authenticated session of the agent. */
export interface PeerSession {
  /** Frames received; the events of a `run.events` batch appear as individual `run.event` frames. */
  readonly frames: ReceivedFrame[];
  /** How many `run.events` batch frames arrived. */
  batches: number;
  /** The close code the session ended with, once it has. */
  readonly closed: Promise<number>;
  /** Waits for the first received frame (past or future) matching `match`. */
  waitFor(match: (frame: ReceivedFrame) => boolean, timeoutMs?: number): Promise<ReceivedFrame>;
  send(frame: unknown): void;
  sendRaw(text: string): void;
  /** Ends the session with `code` (and `reason`); by default drops it without a close (1006). */
  close(code?: number, reason?: string): Promise<void>;
}

/** The name of every agent a peer seeds. */
export const AGENT_NAME = 'a1';

export class ControlPlanePeer {
  keyId = 'key-1';
  readonly #privateKey = generateEd25519Key();
  readonly publicKeyB64 = rawPublicKey(this.#privateKey);
  agentId = 'agent-1';
  /** The agent's public key (base64 raw), once enrolled or seeded: what a `hello` must verify with. */
  agentPublicKey: string | undefined;
  handshake: HandshakeMode = 'welcome';
  pingIntervalMs = 60_000;
  /** Answer pings and ack events? Set false to simulate a hung peer. */
  responsive = true;
  /** Highest run-event seq acknowledged so far (sent as `welcome.lastEventSeq`). */
  lastEventSeq = 0;
  readonly sessions: PeerSession[] = [];
  /** Transports accepted, authenticated or not. */
  connections = 0;
  #handedOut = 0;
  readonly #waiters: ((session: PeerSession) => void)[] = [];
  readonly #open = new Set<Transport>();

  /** A new in-memory connection: the peer speaks on one end, the agent gets the other. */
  dial(): Transport {
    const [agentEnd, peerEnd] = createLinkedTransports();
    this.accept(peerEnd);
    return agentEnd;
  }

  /**
   * Writes what a successful enrolment leaves in `dataDir` (the agent's key and `agent.json`
   * pinning this peer's key), unless the agent is enrolled there already.
   */
  async seedAgent(dataDir: string, serverUrl: string): Promise<void> {
    const key = await loadOrCreateAgentKey(dataDir);
    this.agentPublicKey = key.publicKey;
    if ((await readAgentState(dataDir)) !== undefined) return;
    await writeAgentState(dataDir, {
      agentId: this.agentId,
      name: AGENT_NAME,
      serverUrl,
      serverPublicKey: this.publicKeyB64,
      serverKeyId: this.keyId,
    });
  }

  /** Sessions are handed out in order, each once, whether they started before or after the call. */
  nextSession(timeoutMs = 5000): Promise<PeerSession> {
    const ready = this.sessions[this.#handedOut];
    if (ready !== undefined) {
      this.#handedOut += 1;
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('no agent session'));
      }, timeoutMs);
      this.#waiters.push((session) => {
        this.#handedOut += 1;
        clearTimeout(timer);
        resolve(session);
      });
    });
  }

  /** Signs a payload with the control-plane key (or another key to forge). */
  envelope(
    partial: Partial<JobPayload> & { runId: string; workflow: string },
    key: KeyObject = this.#privateKey,
  ): { payload: string; signature: string } {
    const payload = JSON.stringify({
      jobId: 'job-1',
      agentId: this.agentId,
      inputs: {},
      issuedAt: new Date().toISOString(),
      ...partial,
    });
    return { payload, signature: signEd25519(key, payload) };
  }

  /** Drops every connection still open. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.#open].map((transport) => transport.close(ChannelCloseCode.abnormal)));
  }

  /** Speaks the protocol on `transport`: challenge first, then whatever the agent sends. */
  accept(transport: Transport): void {
    this.connections += 1;
    this.#open.add(transport);
    const frames: ReceivedFrame[] = [];
    const listeners: (() => boolean)[] = [];
    let closedWith: (code: number) => void = () => undefined;
    const session: PeerSession = {
      frames,
      batches: 0,
      closed: new Promise((resolve) => (closedWith = resolve)),
      waitFor(match, timeoutMs = 5000) {
        return new Promise((resolve, reject) => {
          const check = (): boolean => {
            const found = frames.find(match);
            if (found === undefined) return false;
            clearTimeout(timer);
            resolve(found);
            return true;
          };
          const timer = setTimeout(() => {
            reject(new Error('frame not received'));
          }, timeoutMs);
          if (!check()) listeners.push(check);
        });
      },
      send: (frame) => transport.send(JSON.stringify(frame)),
      sendRaw: (text) => transport.send(text),
      close: (code = ChannelCloseCode.abnormal, reason) => transport.close(code, reason),
    };
    const nonce = randomBytes(32).toString('base64url');
    transport.onClose((code) => {
      this.#open.delete(transport);
      closedWith(code);
    });
    transport.onMessage((data, binary) => {
      const decoded = decodeAgentFrame(data, binary);
      if (!decoded.ok) frames.push({ type: 'invalid', text: new TextDecoder().decode(data) });
      else if (decoded.frame.type === 'run.events') {
        // a batch is recorded as its events, in order, so assertions read one stream of events
        session.batches += 1;
        for (const item of decoded.frame.items) frames.push({ type: 'run.event', ...item });
      } else frames.push(decoded.frame);
      for (const listener of [...listeners]) {
        if (listener()) listeners.splice(listeners.indexOf(listener), 1);
      }
      if (decoded.ok) this.#onFrame(session, nonce, decoded.frame);
    });
    session.send({ type: 'challenge', nonce, serverKeyId: this.keyId, protocolVersion: PROTOCOL_VERSION });
  }

  #onFrame(session: PeerSession, nonce: string, frame: AgentFrame): void {
    if (frame.type === 'hello') this.#onHello(session, nonce, frame);
    else if (frame.type === 'ping' && this.responsive) session.send({ type: 'pong', ts: frame.ts });
    else if ((frame.type === 'run.event' || frame.type === 'run.events') && this.responsive) {
      const last = frame.type === 'run.event' ? frame.seq : (frame.items.at(-1)?.seq ?? 0);
      this.lastEventSeq = Math.max(this.lastEventSeq, last);
      session.send({ type: 'event.ack', seq: last });
    }
  }

  #onHello(session: PeerSession, nonce: string, hello: Extract<AgentFrame, { type: 'hello' }>): void {
    const mode = this.handshake;
    const message = agentAuthMessage(nonce, hello.agentId, this.keyId);
    if (this.agentPublicKey === undefined || !verifyEd25519(this.agentPublicKey, message, hello.signature)) {
      session.send({ type: 'refused', code: 'AGENT_AUTH_FAILED', message: 'bad signature' });
      void session.close(ChannelCloseCode.authFailed);
    } else if (mode === 'silent') {
      return;
    } else if (typeof mode === 'object') {
      session.send({ type: 'refused', code: mode.refuse, message: `refused: ${mode.refuse}` });
      void session.close(ChannelCloseCode.forbidden);
    } else {
      const key = mode === 'welcome' ? this.#privateKey : generateEd25519Key();
      const signature = signEd25519(key, serverAuthMessage(hello.nonce, hello.agentId));
      session.send({
        type: 'welcome',
        signature,
        pingIntervalMs: this.pingIntervalMs,
        lastEventSeq: this.lastEventSeq,
      });
      this.sessions.push(session);
      this.#waiters.shift()?.(session);
    }
  }
}
