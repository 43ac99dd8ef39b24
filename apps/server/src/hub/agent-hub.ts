import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { ChannelCloseCode } from '@flotilla/protocol';
import type { ErrorCode } from '@flotilla/protocol';
import { markAllAgentsOffline } from '../agents/agent-repo.js';
import type { ServerKey } from '../bootstrap/server-key.js';
import type { JobEvents, JobLog, JobUpdate } from '../jobs/job-events.js';
import type { Database } from '../store/schema.js';
import { AgentConnection } from './agent-connection.js';
import type { ChannelSocket, ConnectionHost } from './agent-connection.js';

export interface AgentHubOptions {
  db: Kysely<Database>;
  serverKey: ServerKey;
  jobEvents: JobEvents;
  logger: FastifyBaseLogger;
  pingIntervalMs: number;
  missedBeatsBeforeOffline: number;
  helloTimeoutMs: number;
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
  readonly pingIntervalMs: number;
  readonly helloTimeoutMs: number;
  private readonly options: AgentHubOptions;
  private readonly connections = new Map<string, AgentConnection>();
  private readonly all = new Set<AgentConnection>();
  private timer: NodeJS.Timeout | undefined;
  private shuttingDown = false;

  constructor(options: AgentHubOptions) {
    this.options = options;
    this.db = options.db;
    this.serverKey = options.serverKey;
    this.pingIntervalMs = options.pingIntervalMs;
    this.helloTimeoutMs = options.helloTimeoutMs;
  }

  /** Marks stale connections offline (nobody is connected to a fresh process) and starts the liveness timer. */
  async start(): Promise<void> {
    await markAllAgentsOffline(this.db);
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
    socket.once('close', () => this.all.delete(connection));
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

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  announce(updates: JobUpdate[], logs: JobLog[]): void {
    for (const update of updates) this.options.jobEvents.emit('update', update);
    for (const log of logs) this.options.jobEvents.emit('log', log);
  }

  isConnected(agentId: string): boolean {
    return this.connections.has(agentId);
  }

  connectedCount(): number {
    return this.connections.size;
  }

  /** Offers a newly created run if its agent is connected here; otherwise it waits, queued, for the agent. */
  async offerRun(agentId: string, runId: string): Promise<void> {
    await this.connections.get(agentId)?.offer({ runId });
  }

  /** Closes the connections of agents that lost trust (revoked, replaced key). */
  disconnect(agentIds: readonly string[], code: Extract<ErrorCode, 'AGENT_REVOKED'>): void {
    for (const agentId of agentIds) {
      this.connections.get(agentId)?.refuse({ code, message: 'agent revoked', closeCode: ChannelCloseCode.forbidden });
    }
  }

  /** Step 1 of shutdown (preClose): stop the timer and say goodbye to every agent. */
  beginShutdown(): void {
    this.shuttingDown = true;
    clearInterval(this.timer);
    for (const connection of this.all) connection.close(ChannelCloseCode.goingAway, 'server shutting down');
  }

  /** Step 2 (onClose): let in-flight frames finish, then record that nobody is connected. */
  async finishShutdown(): Promise<void> {
    await Promise.all([...this.all].map((c) => c.idle()));
    this.connections.clear();
    await markAllAgentsOffline(this.db);
  }
}
