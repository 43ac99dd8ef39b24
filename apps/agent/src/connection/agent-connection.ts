import {
  ChannelCloseCode,
  FlotillaError,
  decodeServerFrame,
  type AgentFrame,
  type ServerFrame,
  type Transport,
} from '@flotilla/protocol';
import type { AgentIdentity } from '../identity/agent-identity.js';
import type { AgentLogger } from '../logger.js';
import { Backoff } from './backoff.js';
import { answerChallenge, fatalCloseError, verifyWelcome } from './handshake.js';

/** Frames that only make sense on an authenticated session. */
export type SessionFrame = Extract<ServerFrame, { type: 'job.offer' | 'job.cancel' | 'event.ack' }>;

/** What the connection tells the rest of the agent. */
export interface ConnectionEvents {
  /** The control plane proved its identity; `lastEventSeq` is the highest event it stored. */
  onReady(lastEventSeq: number): void;
  onSessionFrame(frame: SessionFrame): void;
  /** The agent must stop (revoked, wrong key, unsupported version); no reconnect follows. */
  onFatal(error: FlotillaError): void;
  /**
   * The control plane (or a proxy in between) refused a frame of ours as too large: an `error
   * {code: FRAME_TOO_LARGE}` frame, or a close with 1009. Called at most once per session, before
   * the reconnect that replays what was not acknowledged.
   */
  onFrameTooLarge(): void;
}

export interface ConnectionStats {
  connected: boolean;
  reconnects: number;
  messagesIn: number;
  messagesOut: number;
  protocolErrors: number;
}

export interface AgentConnectionOptions {
  /** Where the control plane is, for the log. */
  readonly wsUrl: string;
  /** Opens a new connection to the control plane (a WebSocket to `wsUrl`; in tests, an in-memory pair). */
  readonly connect: () => Transport;
  readonly identity: AgentIdentity;
  readonly logger: AgentLogger;
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
  readonly handshakeTimeoutMs: number;
  /** Reported in `hello` so the server does not offer more than the agent runs at once. */
  readonly maxConcurrentRuns?: (() => number) | undefined;
  readonly events: ConnectionEvents;
}

type Phase = 'idle' | 'awaiting-challenge' | 'awaiting-welcome' | 'ready' | 'closed';
type Refusal = Extract<ServerFrame, { type: 'refused' }>;

/** Missed beats before a silent connection is declared dead (SPEC §4). */
const MISSED_BEATS = 3;

/**
 * The agent's side of the channel: mutual signed handshake, liveness, and reconnection with
 * full-jitter backoff, over a {@link Transport} it opens per session (`connect`). Runs until
 * `close()` or a fatal refusal; frames of an authenticated session are handed to `events`.
 */
export class AgentConnection {
  readonly #o: AgentConnectionOptions;
  readonly #backoff: Backoff;
  readonly #stats: ConnectionStats = {
    connected: false,
    reconnects: 0,
    messagesIn: 0,
    messagesOut: 0,
    protocolErrors: 0,
  };
  #phase: Phase = 'idle';
  #transport: Transport | undefined;
  #agentNonce = '';
  #refusal: Refusal | undefined;
  /** This session's refusal of a frame as too large was reported (once per session). */
  #frameRefused = false;
  #lastInboundAt = 0;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(options: AgentConnectionOptions) {
    this.#o = options;
    this.#backoff = new Backoff({ baseMs: options.reconnectBaseMs, capMs: options.reconnectCapMs });
  }

  /** True between a verified `welcome` and the next disconnect. */
  get ready(): boolean {
    return this.#phase === 'ready';
  }

  stats(): ConnectionStats {
    return { ...this.#stats };
  }

  start(): void {
    if (this.#phase === 'idle') this.#open();
  }

  /**
   * Sends a frame on the authenticated session; `false` when there is none right now. `text`,
   * when given, is the frame's JSON already built (`JSON.stringify(frame)`, see `packRunEvents`).
   */
  send(frame: AgentFrame, text?: string): boolean {
    if (this.#phase !== 'ready' || this.#transport === undefined) return false;
    return this.#sendRaw(this.#transport, frame, text);
  }

  /** Closes with 1000 and stops reconnecting. */
  async close(): Promise<void> {
    this.#phase = 'closed';
    this.#clearTimers();
    clearTimeout(this.#reconnectTimer);
    await this.#transport?.close(ChannelCloseCode.normal, 'agent stopping');
  }

  #open(): void {
    // Until the challenge arrives, also while the transport is still connecting.
    this.#phase = 'awaiting-challenge';
    this.#refusal = undefined;
    this.#frameRefused = false;
    const transport = this.#o.connect();
    this.#transport = transport;
    this.#handshakeTimer = setTimeout(() => {
      this.#o.logger.warn({ timeoutMs: this.#o.handshakeTimeoutMs }, 'handshake timed out');
      void transport.close(ChannelCloseCode.abnormal);
    }, this.#o.handshakeTimeoutMs);
    transport.onMessage((data, binary) => {
      if (transport === this.#transport) this.#onMessage(transport, data, binary);
    });
    transport.onClose((code, reason) => {
      if (transport === this.#transport) this.#onClose(code, reason);
    });
  }

  #onMessage(transport: Transport, data: Uint8Array, binary: boolean): void {
    this.#stats.messagesIn += 1;
    this.#lastInboundAt = Date.now();
    const decoded = decodeServerFrame(data, binary);
    if (!decoded.ok) {
      this.#protocolError(transport, decoded.message);
      return;
    }
    try {
      this.#dispatch(transport, decoded.frame);
    } catch (err) {
      // A bug in a handler must not take the channel down; it is logged and the session goes on.
      this.#o.logger.error({ err, frame: decoded.frame.type }, 'frame handler failed');
    }
  }

  #dispatch(transport: Transport, frame: ServerFrame): void {
    switch (frame.type) {
      case 'challenge': {
        if (this.#phase !== 'awaiting-challenge') {
          this.#protocolError(transport, 'unexpected challenge');
          return;
        }
        try {
          const { hello, agentNonce } = answerChallenge(frame, this.#o.identity, {
            maxConcurrentRuns: this.#o.maxConcurrentRuns?.(),
          });
          this.#agentNonce = agentNonce;
          this.#phase = 'awaiting-welcome';
          this.#sendRaw(transport, hello);
        } catch (err) {
          if (err instanceof FlotillaError) {
            this.#fail(err);
            return;
          }
          throw err;
        }
        return;
      }
      case 'welcome': {
        if (this.#phase !== 'awaiting-welcome') {
          this.#protocolError(transport, 'unexpected welcome');
          return;
        }
        const { agentId } = this.#o.identity.state;
        if (!verifyWelcome(frame, this.#agentNonce, agentId, this.#o.identity.serverKey)) {
          // Never run anything for a peer that cannot prove it holds the pinned key.
          this.#fail(
            new FlotillaError('AGENT_AUTH_FAILED', {
              detail: 'the control plane failed to prove its identity (welcome signature invalid)',
            }),
          );
          return;
        }
        this.#onWelcome(transport, frame.pingIntervalMs, frame.lastEventSeq);
        return;
      }
      case 'refused':
        this.#refusal = frame;
        void transport.close(ChannelCloseCode.normal);
        return;
      case 'ping':
        this.#sendRaw(transport, { type: 'pong', ts: frame.ts });
        return;
      case 'pong':
        return;
      case 'error':
        this.#o.logger.warn({ code: frame.code, message: frame.message }, 'control plane reported an error');
        if (frame.code === 'FRAME_TOO_LARGE') this.#noteFrameRefused();
        return;
      case 'job.offer':
      case 'job.cancel':
      case 'event.ack':
        if (this.#phase !== 'ready') {
          this.#protocolError(transport, `${frame.type} before the handshake completed`);
          return;
        }
        this.#o.events.onSessionFrame(frame);
        return;
    }
  }

  #onWelcome(transport: Transport, pingIntervalMs: number, lastEventSeq: number): void {
    clearTimeout(this.#handshakeTimer);
    this.#phase = 'ready';
    this.#stats.connected = true;
    this.#backoff.reset();
    this.#o.logger.info({ url: this.#o.wsUrl, pingIntervalMs }, 'connected');
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastInboundAt > MISSED_BEATS * pingIntervalMs) {
        this.#o.logger.warn({ pingIntervalMs }, `no traffic for ${MISSED_BEATS} ping intervals; reconnecting`);
        void transport.close(ChannelCloseCode.abnormal);
        return;
      }
      this.#sendRaw(transport, { type: 'ping', ts: Date.now() });
    }, pingIntervalMs);
    this.#pingTimer.unref();
    this.#o.events.onReady(lastEventSeq);
  }

  #onClose(code: number, reason: string): void {
    this.#clearTimers();
    this.#stats.connected = false;
    if (this.#phase === 'closed') return;
    // A 1009 close received from the peer, also without an error frame before it (a proxy in
    // between, an older control plane). A server frame over our own limit closes with 1006 here.
    if (code === ChannelCloseCode.messageTooBig) this.#noteFrameRefused();
    const refusal = this.#refusal;
    const fatal = fatalCloseError(refusal, code, reason);
    if (fatal !== undefined) {
      this.#fail(fatal);
      return;
    }
    const delay = this.#backoff.next();
    if (refusal?.code === 'AGENT_NOT_APPROVED') {
      this.#o.logger.warn({ retryInMs: delay }, 'awaiting approval by an admin');
    } else {
      const why = refusal === undefined ? { code, reason } : { refused: refusal.code, message: refusal.message };
      this.#o.logger.info({ ...why, retryInMs: delay }, 'disconnected; reconnecting');
    }
    this.#reconnectTimer = setTimeout(() => {
      this.#stats.reconnects += 1;
      this.#open();
    }, delay);
  }

  #fail(error: FlotillaError): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#clearTimers();
    void this.#transport?.close(ChannelCloseCode.authFailed, error.code);
    this.#o.logger.error({ code: error.code, err: error.message }, 'fatal: the agent stops');
    this.#o.events.onFatal(error);
  }

  #noteFrameRefused(): void {
    if (this.#frameRefused) return;
    this.#frameRefused = true;
    this.#o.events.onFrameTooLarge();
  }

  #protocolError(transport: Transport, reason: string): void {
    this.#stats.protocolErrors += 1;
    this.#o.logger.warn({ reason }, 'protocol error from control plane');
    this.#sendRaw(transport, { type: 'error', code: 'PROTOCOL_ERROR', message: reason });
  }

  #sendRaw(transport: Transport, frame: AgentFrame, text?: string): boolean {
    if (!transport.send(text ?? JSON.stringify(frame))) return false;
    this.#stats.messagesOut += 1;
    return true;
  }

  #clearTimers(): void {
    clearTimeout(this.#handshakeTimer);
    clearInterval(this.#pingTimer);
  }
}
