import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { ChannelCloseCode, PROTOCOL_VERSION, decodeAgentFrame, serverAuthMessage } from '@flotilla/protocol';
import type { AgentFrame, ServerFrame } from '@flotilla/protocol';
import type { ServerKey } from '../bootstrap/server-key.js';
import type { PresenceClaim } from '../cluster/cluster-bus.js';
import type { EventStore } from '../jobs/agent-event-store.js';
import { lastEventSeq } from '../jobs/agent-event-store.js';
import type { AgentSessions } from '../jobs/agent-sessions.js';
import type { RunDispatcher } from '../jobs/run-dispatcher.js';
import type { Database } from '../store/schema.js';
import { toErrorFrame } from './error-frame.js';
import { verifyHello } from './handshake.js';
import type { Refusal } from './handshake.js';
import type { ConnectionHistory } from './connection-history.js';
import { handleJobAck, handleJobReject, handleRunEvent, handleRunEvents } from './run-frames.js';
import type { RunFrameOutcome } from './run-frames.js';

/** A connection this noisy is broken or hostile: after this many invalid frames it is closed. */
const MAX_INVALID_FRAMES = 20;

/** The part of a `ws` WebSocket the channel uses: a narrow seam, easy to satisfy in tests. */
export type ChannelSocket = Pick<WebSocket, 'on' | 'once' | 'send' | 'close' | 'terminate' | 'readyState'>;

/**
 * What a connection needs from the hub that owns it (keeps the dependency one-way). Frames that
 * report on runs are stored through `store` (the write path); everything about dispatch (offers,
 * cancels, announcing progress) is the dispatcher's, and the agent's presence the sessions'.
 */
export interface ConnectionHost {
  readonly db: Kysely<Database>;
  readonly store: EventStore;
  readonly serverKey: ServerKey;
  readonly dispatcher: Pick<RunDispatcher, 'offers' | 'pendingCancels' | 'announce'>;
  readonly sessions: Pick<AgentSessions, 'opened'>;
  /** Where connects and disconnects are recorded (buffered: never awaited on the connection's path). */
  readonly history: Pick<ConnectionHistory, 'record'>;
  readonly pingIntervalMs: number;
  readonly helloTimeoutMs: number;
  readonly stats: { protocolErrors: number; refused: number };
  /** Makes this the agent's current connection (closing an older one) and claims the agent for this replica. */
  register(connection: AgentConnection): Promise<void>;
  /** Forgets the connection; true when it was the agent's current one. */
  unregister(connection: AgentConnection): boolean;
  /** After a current connection closed: gives up its claim and, unless a successor holds the agent, records it gone. */
  closed(connection: AgentConnection): Promise<void>;
}

/**
 * One agent's WebSocket, from challenge to close. Frames are handled strictly in arrival order
 * (a promise chain), so sequence numbers and state transitions never race.
 */
export class AgentConnection {
  /** Set once the handshake succeeded. */
  agentId: string | null = null;
  /** This connection's hold on its agent in the cluster (set by the hub on `register`). */
  claim: PresenceClaim | undefined;
  /** Last time anything arrived: every frame is a heartbeat. */
  lastBeatAt = Date.now();
  private state: 'handshake' | 'ready' | 'closed' = 'handshake';
  private readonly nonce = randomBytes(24).toString('base64url');
  private queue: Promise<void> = Promise.resolve();
  private invalidFrames = 0;
  private readonly helloTimer: NodeJS.Timeout;
  private readonly socket: ChannelSocket;
  private readonly host: ConnectionHost;
  private log: FastifyBaseLogger;
  /** The client address as the server sees it (trusted proxies applied). */
  private readonly remoteAddress: string | null;
  /** Whether the end of this (authenticated) connection is in the history already. */
  private endRecorded = false;

  constructor(socket: ChannelSocket, host: ConnectionHost, log: FastifyBaseLogger, remoteAddress: string | null) {
    this.socket = socket;
    this.host = host;
    this.log = log;
    this.remoteAddress = remoteAddress;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.onMessage(data, isBinary);
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.onClose(code, reason);
    });
    socket.on('error', (err: Error) => {
      this.log.warn({ err }, 'agent socket error');
    });
    this.send({
      type: 'challenge',
      nonce: this.nonce,
      serverKeyId: host.serverKey.keyId,
      protocolVersion: PROTOCOL_VERSION,
    });
    this.helloTimer = setTimeout(() => {
      this.refuse({
        code: 'AGENT_AUTH_FAILED',
        message: `no hello within ${host.helloTimeoutMs} ms`,
        closeCode: ChannelCloseCode.authFailed,
      });
    }, host.helloTimeoutMs);
    this.helloTimer.unref();
  }

  /** Resolves when every frame received so far has been handled. */
  async idle(): Promise<void> {
    // Work may be queued while we wait (a close enqueues its bookkeeping): wait until none is left.
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  /** Offers the agent queued runs, as many as it has free slots. */
  offer(): Promise<void> {
    return this.enqueue(() => this.sendOffers(false));
  }

  /** Asks the agent to stop a run (after any offer already queued on this connection). */
  cancel(runId: string): Promise<void> {
    return this.enqueue(() => {
      if (this.state === 'ready') this.send({ type: 'job.cancel', runId });
      return Promise.resolve();
    });
  }

  /** Sends a `refused` frame and closes with the matching code. */
  refuse(refusal: Refusal): void {
    if (this.state === 'closed') return;
    this.host.stats.refused++;
    this.log.info({ code: refusal.code }, 'agent connection refused');
    this.send({ type: 'refused', code: refusal.code, message: refusal.message });
    this.recordEnd(`${refusal.code}: ${refusal.message}`);
    this.close(refusal.closeCode, refusal.code);
  }

  close(code: number, reason: string): void {
    // Recorded now, not when the close handshake ends: a server shutting down writes it before its store closes.
    this.recordEnd(reason);
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    // Close reasons are limited to 123 bytes by RFC 6455.
    this.socket.close(code, reason.slice(0, 120));
  }

  /** Called by the hub's timer: ping, or drop a peer that has been silent too long. */
  checkLiveness(now: number, silenceLimitMs: number): void {
    if (this.state !== 'ready') return;
    if (now - this.lastBeatAt > silenceLimitMs) {
      this.log.info({ silentMs: now - this.lastBeatAt }, 'agent missed heartbeats; disconnecting');
      this.recordEnd(`heartbeats missed: silent for ${now - this.lastBeatAt} ms`);
      this.state = 'closed';
      this.socket.terminate();
      return;
    }
    this.send({ type: 'ping', ts: now });
  }

  /** Records the end of an authenticated connection in the history, once: the first reason wins. */
  private recordEnd(reason: string): void {
    if (this.agentId === null || this.endRecorded) return;
    this.endRecorded = true;
    this.host.history.record({
      agentId: this.agentId,
      event: 'disconnected',
      remoteAddress: this.remoteAddress,
      agentVersion: null,
      reason,
    });
  }

  private send(frame: ServerFrame): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.log.error({ err }, 'agent frame handling failed');
      this.send(toErrorFrame(err));
    });
    return this.queue;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastBeatAt = Date.now();
    if (this.state === 'closed') return;
    // `ws` hands a Buffer (or its fragments); an ArrayBuffer only with a binaryType not used here
    const decoded = decodeAgentFrame(data instanceof ArrayBuffer ? new Uint8Array(data) : data, isBinary);
    if (!decoded.ok) {
      if (decoded.code === 'FRAME_TOO_LARGE') this.refuseFrame(decoded.bytes, decoded.message);
      else this.protocolError(decoded.message);
      return;
    }
    void this.enqueue(() => this.handle(decoded.frame));
  }

  private protocolError(message: string): void {
    this.host.stats.protocolErrors++;
    this.invalidFrames++;
    this.log.warn({ invalidFrames: this.invalidFrames, reason: message }, 'invalid agent frame');
    this.send({ type: 'error', code: 'PROTOCOL_ERROR', message });
    if (this.invalidFrames >= MAX_INVALID_FRAMES) this.close(ChannelCloseCode.protocolError, 'too many invalid frames');
  }

  /**
   * A frame over the limit is not parsed: it is answered with `error FRAME_TOO_LARGE` and the
   * socket closes with 1009. The frames before it are handled first (queue order), so the agent
   * replays from an accurate `lastEventSeq` with smaller frames when it reconnects.
   */
  private refuseFrame(bytes: number, message: string): void {
    this.host.stats.protocolErrors++;
    this.log.warn({ bytes }, 'agent frame over the size limit; closing');
    void this.enqueue(() => {
      if (this.state === 'closed') return Promise.resolve();
      this.send({ type: 'error', code: 'FRAME_TOO_LARGE', message });
      this.close(ChannelCloseCode.messageTooBig, 'FRAME_TOO_LARGE');
      return Promise.resolve();
    });
  }

  private async handle(frame: AgentFrame): Promise<void> {
    if (this.state === 'closed') return;
    if (this.state === 'handshake') {
      if (frame.type === 'hello') await this.onHello(frame);
      else this.protocolError(`expected hello, got ${frame.type}`);
      return;
    }
    const agentId = this.agentId ?? '';
    switch (frame.type) {
      case 'hello':
        this.protocolError('already authenticated');
        return;
      case 'ping':
        this.send({ type: 'pong', ts: frame.ts });
        return;
      case 'pong':
        return;
      case 'error':
        this.log.warn({ code: frame.code, reason: frame.message }, 'agent reported an error');
        return;
      case 'job.ack':
        this.apply(await handleJobAck(this.host.store, agentId, frame));
        return;
      case 'job.reject':
        this.apply(await handleJobReject(this.host.store, agentId, frame, this.log));
        return;
      case 'run.event':
        await this.storeEvents(() => handleRunEvent(this.host.store, agentId, frame, this.log));
        return;
      case 'run.events':
        await this.storeEvents(() => handleRunEvents(this.host.store, agentId, frame, this.log));
        return;
    }
  }

  /**
   * Run events are acknowledged only as far as they are stored, in sequence. When a batch cannot
   * be stored (the database refused it), or events arrived beyond a gap, nothing after the ack may
   * be stored on this session: it ends, and the agent replays from the ack on its next one (which
   * its outbox does from `welcome.lastEventSeq`). Frames already queued are dropped by the close.
   */
  private async storeEvents(handle: () => Promise<RunFrameOutcome>): Promise<void> {
    let outcome: RunFrameOutcome;
    try {
      outcome = await handle();
    } catch (err) {
      this.log.error({ err }, 'agent events could not be stored; ending the session so the agent replays them');
      this.send(toErrorFrame(err));
      this.close(ChannelCloseCode.internalError, 'events not stored; replay after the acknowledged seq');
      return;
    }
    this.apply(outcome);
    if (outcome.replay === true)
      this.close(ChannelCloseCode.internalError, 'events beyond a gap; replay after the acknowledged seq');
  }

  private apply(outcome: RunFrameOutcome): void {
    if (outcome.reply !== undefined) this.send(outcome.reply);
    this.host.dispatcher.announce(outcome.updates, outcome.logs);
  }

  private async onHello(hello: Extract<AgentFrame, { type: 'hello' }>): Promise<void> {
    clearTimeout(this.helloTimer);
    const result = await verifyHello(
      this.host.db,
      { nonce: this.nonce, serverKeyId: this.host.serverKey.keyId },
      hello,
    );
    if (!result.ok) {
      this.refuse(result.refusal);
      return;
    }
    const agent = result.agent;
    this.agentId = agent.id;
    this.log = this.log.child({ agentId: agent.id, agent: agent.name });
    this.state = 'ready';
    // Before `register`, which closes an older connection: the history shows this one, then that one replaced.
    this.host.history.record({
      agentId: agent.id,
      event: 'connected',
      remoteAddress: this.remoteAddress,
      agentVersion: hello.agentVersion,
      reason: null,
    });
    await this.host.register(this);
    this.send({
      type: 'welcome',
      signature: this.host.serverKey.sign(serverAuthMessage(hello.nonce, agent.id)),
      pingIntervalMs: this.host.pingIntervalMs,
      lastEventSeq: await lastEventSeq(this.host.db, agent.id),
    });
    await this.host.sessions.opened(
      { id: agent.id, tenantId: agent.tenant_id, projectId: agent.project_id },
      { ...hello, remoteAddress: this.remoteAddress },
    );
    this.log.info({ version: hello.agentVersion, maxConcurrentRuns: hello.maxConcurrentRuns }, 'agent connected');
    await this.sendOffers(true);
    // After the offers: a cancel must never overtake the offer of the run it stops.
    for (const runId of await this.host.dispatcher.pendingCancels(agent.id)) this.send({ type: 'job.cancel', runId });
  }

  /** Sends the offers the dispatcher has for this agent now; `resend` re-offers its dispatched runs too. */
  private async sendOffers(resend: boolean): Promise<void> {
    if (this.state !== 'ready' || this.agentId === null) return;
    for (const { runId, envelope } of await this.host.dispatcher.offers(this.agentId, { resend })) {
      this.send({ type: 'job.offer', envelope });
      this.log.debug({ runId }, 'job offered');
    }
  }

  private onClose(code: number, reason: Buffer): void {
    this.state = 'closed';
    clearTimeout(this.helloTimer);
    if (this.agentId === null) return;
    const said = reason.toString('utf8');
    this.recordEnd(`closed by the agent (${code}${said === '' ? '' : `: ${said}`})`);
    const wasCurrent = this.host.unregister(this);
    this.log.info({ code }, 'agent disconnected');
    // A replaced connection must not mark the agent offline under its successor.
    if (wasCurrent) void this.enqueue(() => this.host.closed(this));
  }
}
