import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { ChannelCloseCode, TERMINAL_STATES } from '@flotilla/protocol';
import type { ErrorCode } from '@flotilla/protocol';
import { markAllAgentsOffline } from '../agents/agent-repo.js';
import type { ServerKey } from '../bootstrap/server-key.js';
import type { JobEvents, JobLog, JobUpdate } from '../jobs/job-events.js';
import { advanceRollout, hasRollout } from '../jobs/rollout-progress.js';
import { expireRuns, releaseAllRuns } from '../jobs/run-repo.js';
import type { StoreWriter, WriteUnit } from '../store/group-commit.js';
import type { Database } from '../store/schema.js';
import { AgentConnection } from './agent-connection.js';
import type { MasterKey } from '../secrets/master-key.js';
import type { ChannelSocket, ConnectionHost } from './agent-connection.js';

export interface AgentHubOptions {
  db: Kysely<Database>;
  /** Where changes are committed (the store: group commit on SQLite). */
  writer: StoreWriter;
  serverKey: ServerKey;
  /** Opens the secrets that job envelopes carry. */
  masterKey: MasterKey;
  jobEvents: JobEvents;
  logger: FastifyBaseLogger;
  pingIntervalMs: number;
  missedBeatsBeforeOffline: number;
  helloTimeoutMs: number;
  /** How often queued runs of expired jobs are marked `expired`. @default 1000 */
  expirySweepMs?: number;
}

/** Counters exposed for tests and, later, `/metrics`. */
export interface HubStats {
  /** Frames that were not valid JSON or did not match the protocol. */
  protocolErrors: number;
  /** Handshakes refused (bad signature, version, trust state, timeout). */
  refused: number;
  /** WebSocket connections accepted (before authentication). */
  accepted: number;
}

/**
 * The agent hub: owns the live agent connections of this process, dispatches offers to them and
 * runs one liveness timer for all of them (cheaper than a timer per connection).
 */
export class AgentHub implements ConnectionHost {
  readonly stats: HubStats = { protocolErrors: 0, refused: 0, accepted: 0 };
  readonly db: Kysely<Database>;
  readonly serverKey: ServerKey;
  readonly masterKey: MasterKey;
  readonly pingIntervalMs: number;
  readonly helloTimeoutMs: number;
  private readonly options: AgentHubOptions;
  private readonly connections = new Map<string, AgentConnection>();
  private readonly all = new Set<AgentConnection>();
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** Rollout progress and slot refills, one after another (they read-modify-write job rows). */
  private progressChain: Promise<void> = Promise.resolve();
  private shuttingDown = false;

  constructor(options: AgentHubOptions) {
    this.options = options;
    this.db = options.db;
    this.serverKey = options.serverKey;
    this.masterKey = options.masterKey;
    this.pingIntervalMs = options.pingIntervalMs;
    this.helloTimeoutMs = options.helloTimeoutMs;
  }

  /** Marks stale connections offline (nobody is connected to a fresh process) and starts the liveness timer. */
  async start(): Promise<void> {
    await markAllAgentsOffline(this.db);
    await releaseAllRuns(this.db);
    this.sweeper = setInterval(() => {
      void this.sweepExpired();
    }, this.options.expirySweepMs ?? 1000);
    this.sweeper.unref();
    const silenceLimitMs = this.pingIntervalMs * this.options.missedBeatsBeforeOffline;
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const connection of this.connections.values()) connection.checkLiveness(now, silenceLimitMs);
    }, this.pingIntervalMs);
    this.timer.unref();
  }

  /** Takes over a freshly upgraded WebSocket. */
  accept(socket: ChannelSocket, log: FastifyBaseLogger): void {
    if (this.shuttingDown) {
      socket.close(ChannelCloseCode.goingAway, 'server shutting down');
      return;
    }
    this.stats.accepted++;
    const connection = new AgentConnection(socket, this, log);
    this.all.add(connection);
    // Tracked until its queued work (offline bookkeeping after a close) is done, so that
    // shutdown waits for it and no query outlives the store.
    socket.once('close', () => {
      void connection.idle().then(() => this.all.delete(connection));
    });
  }

  register(connection: AgentConnection): void {
    if (connection.agentId === null) return;
    const previous = this.connections.get(connection.agentId);
    this.connections.set(connection.agentId, connection);
    if (previous !== undefined && previous !== connection) previous.close(ChannelCloseCode.replaced, 'replaced by a newer connection');
  }

  unregister(connection: AgentConnection): boolean {
    if (connection.agentId === null || this.connections.get(connection.agentId) !== connection) return false;
    this.connections.delete(connection.agentId);
    return true;
  }

  write<T>(unit: WriteUnit<T>): Promise<T> {
    return this.options.writer.write(unit);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Publishes committed progress, then (in the background, in order) lets it take effect: a run
   * that ended frees a slot on its agent and may open the next rollout batch or stop the rollout.
   */
  announce(updates: JobUpdate[], logs: JobLog[]): void {
    for (const log of logs) this.options.jobEvents.emit('log', log);
    for (const update of updates) this.options.jobEvents.emit('update', update);
    const ended = updates.filter((u) => TERMINAL_STATES.has(u.runState));
    if (ended.length === 0 || this.shuttingDown) return;
    this.progressChain = this.progressChain
      .then(() => this.progress(ended))
      .catch((err: unknown) => {
        this.options.logger.error({ err }, 'job progress failed');
      });
  }

  /** Resolves when all progress announced so far has taken effect (tests, shutdown). */
  settled(): Promise<void> {
    return this.progressChain;
  }

  private async progress(ended: JobUpdate[]): Promise<void> {
    const agents = new Set(ended.map((u) => u.agentId));
    for (const jobId of new Set(ended.map((u) => u.jobId))) {
      // A read first: a job without a rollout needs no write.
      if (!(await hasRollout(this.db, jobId))) continue;
      const step = await this.write((trx) => advanceRollout(trx, jobId));
      for (const agentId of step.agentIds) agents.add(agentId);
      if (step.updates.length > 0) this.announce(step.updates, []);
    }
    await this.pump([...agents]);
  }

  private async sweepExpired(): Promise<void> {
    try {
      const updates = await this.write((trx) => expireRuns(trx));
      if (updates.length > 0) this.announce(updates, []);
    } catch (err) {
      if (!this.shuttingDown) this.options.logger.warn({ err }, 'expiry sweep failed');
    }
  }

  /** Offers queued runs to those of these agents connected here, up to their free slots. */
  async pump(agentIds: readonly string[]): Promise<void> {
    const connected = agentIds.flatMap((agentId) => this.connections.get(agentId) ?? []);
    await Promise.all(connected.map((connection) => connection.offer()));
  }

  /** Sends `job.cancel` for runs whose agents are connected here (others get it on reconnect). */
  async cancelRuns(runs: readonly { runId: string; agentId: string }[]): Promise<void> {
    const sends = runs.flatMap((r) => this.connections.get(r.agentId)?.cancel(r.runId) ?? []);
    await Promise.all(sends);
  }

  isConnected(agentId: string): boolean {
    return this.connections.has(agentId);
  }

  connectedCount(): number {
    return this.connections.size;
  }


  /**
   * Closes the connections of agents that lost trust (revoked, disabled, rejected, deleted, replaced
   * key); `message` says which, and is what the agent logs.
   */
  disconnect(agentIds: readonly string[], code: Extract<ErrorCode, 'AGENT_REVOKED'>, message: string): void {
    for (const agentId of agentIds) {
      this.connections.get(agentId)?.refuse({ code, message, closeCode: ChannelCloseCode.forbidden });
    }
  }

  /** Step 1 of shutdown (preClose): stop the timer and say goodbye to every agent. */
  beginShutdown(): void {
    this.shuttingDown = true;
    clearInterval(this.timer);
    clearInterval(this.sweeper);
    for (const connection of this.all) connection.close(ChannelCloseCode.goingAway, 'server shutting down');
  }

  /** Step 2 (onClose): let in-flight frames finish, then record that nobody is connected. */
  async finishShutdown(): Promise<void> {
    await Promise.all([...this.all].map((c) => c.idle()));
    await this.progressChain;
    this.connections.clear();
    await markAllAgentsOffline(this.db);
  }
}
