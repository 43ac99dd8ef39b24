import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { ChannelCloseCode } from '@flotilla/protocol';
import type { ErrorCode } from '@flotilla/protocol';
import type { ServerKey } from '../bootstrap/server-key.js';
import type { ClusterBus, Unsubscribe } from '../cluster/cluster-bus.js';
import type { AgentCommand } from '../cluster/cluster-messages.js';
import type { AgentSessions } from '../jobs/agent-sessions.js';
import type { RunDispatcher } from '../jobs/run-dispatcher.js';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { AgentConnection } from './agent-connection.js';
import type { ChannelSocket, ConnectionHost } from './agent-connection.js';
import { ConnectionHistory } from './connection-history.js';

export interface AgentHubOptions {
  store: Store;
  serverKey: ServerKey;
  dispatcher: RunDispatcher;
  sessions: AgentSessions;
  /** Where this replica claims its agents and hears the commands for them. */
  bus: ClusterBus;
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
 * The agent hub: owns this replica's agent connections, claims their agents on the cluster bus
 * and carries out the commands the bus routes to them (offer, cancel, refuse, replaced), and runs
 * one liveness timer for all of them (cheaper than a timer per connection). What to offer, and
 * every state change, is the dispatcher's.
 */
export class AgentHub implements ConnectionHost {
  readonly stats: HubStats = { protocolErrors: 0, refused: 0, accepted: 0 };
  readonly db: Kysely<Database>;
  readonly store: Store;
  readonly serverKey: ServerKey;
  readonly dispatcher: RunDispatcher;
  readonly sessions: AgentSessions;
  readonly history: ConnectionHistory;
  readonly pingIntervalMs: number;
  readonly helloTimeoutMs: number;
  private readonly options: AgentHubOptions;
  private readonly connections = new Map<string, AgentConnection>();
  private readonly all = new Set<AgentConnection>();
  private readonly unsubscribe: Unsubscribe[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Agents connected here when shutdown began: recorded offline once their connections are done. */
  private leaving: string[] = [];
  private shuttingDown = false;

  constructor(options: AgentHubOptions) {
    this.options = options;
    this.store = options.store;
    this.db = options.store.db;
    this.serverKey = options.serverKey;
    this.dispatcher = options.dispatcher;
    this.sessions = options.sessions;
    this.history = new ConnectionHistory({ store: options.store, logger: options.logger });
    this.pingIntervalMs = options.pingIntervalMs;
    this.helloTimeoutMs = options.helloTimeoutMs;
  }

  /**
   * Hands back the runs of agents no live replica holds (in one process: every agent, since
   * nobody is connected to a fresh process), takes this replica's commands and expired claims
   * from the bus, and starts the liveness timer and the dispatcher.
   */
  async start(): Promise<void> {
    const { bus, logger } = this.options;
    await this.sessions.releaseOrphans();
    this.unsubscribe.push(
      bus.commands.onCommand((command) => this.carryOut(command)),
      bus.presence.onExpired((agentIds) => {
        this.sessions
          .gone(agentIds, 'orphaned')
          .catch((err: unknown) => logger.error({ err }, 'releasing the agents of a lost replica failed'));
      }),
    );
    this.dispatcher.start();
    const silenceLimitMs = this.pingIntervalMs * this.options.missedBeatsBeforeOffline;
    this.timer = setInterval(() => {
      const now = Date.now();
      for (const connection of this.connections.values()) connection.checkLiveness(now, silenceLimitMs);
    }, this.pingIntervalMs);
    this.timer.unref();
  }

  /** Takes over a freshly upgraded WebSocket from `remoteAddress`. */
  accept(socket: ChannelSocket, log: FastifyBaseLogger, remoteAddress: string | null): void {
    if (this.shuttingDown) {
      socket.close(ChannelCloseCode.goingAway, 'server shutting down');
      return;
    }
    this.stats.accepted++;
    const connection = new AgentConnection(socket, this, log, remoteAddress);
    this.all.add(connection);
    // Tracked until its queued work (offline bookkeeping after a close) is done, so that
    // shutdown waits for it and no query outlives the store.
    socket.once('close', () => {
      void connection.idle().then(() => this.all.delete(connection));
    });
  }

  async register(connection: AgentConnection): Promise<void> {
    const agentId = connection.agentId;
    if (agentId === null) return;
    const previous = this.connections.get(agentId);
    this.connections.set(agentId, connection);
    if (previous !== undefined && previous !== connection)
      previous.close(ChannelCloseCode.replaced, 'replaced by a newer connection');
    connection.claim = await this.options.bus.presence.claim(agentId);
  }

  unregister(connection: AgentConnection): boolean {
    if (connection.agentId === null || this.connections.get(connection.agentId) !== connection) return false;
    this.connections.delete(connection.agentId);
    return true;
  }

  async closed(connection: AgentConnection): Promise<void> {
    const agentId = connection.agentId;
    if (connection.claim !== undefined) await this.options.bus.presence.release(connection.claim);
    // Shutdown records its agents offline at the end; a successor connected here owns the agent.
    if (agentId === null || this.shuttingDown || this.connections.has(agentId)) return;
    await this.sessions.gone([agentId], 'disconnected');
  }

  /** A command the bus routed to this replica, for agents connected here. */
  private async carryOut(command: AgentCommand): Promise<void> {
    switch (command.type) {
      case 'offer':
        await Promise.all(command.agentIds.flatMap((id) => this.connections.get(id)?.offer() ?? []));
        return;
      case 'cancel':
        await Promise.all(command.runs.flatMap((r) => this.connections.get(r.agentId)?.cancel(r.runId) ?? []));
        return;
      case 'refuse':
        this.refuse(command.agentIds, command.code, command.message);
        return;
      case 'replaced':
        for (const id of command.agentIds)
          this.connections
            .get(id)
            ?.close(ChannelCloseCode.replaced, 'replaced by a newer connection on another replica');
        return;
    }
  }

  isConnected(agentId: string): boolean {
    return this.connections.has(agentId);
  }

  connectedCount(): number {
    return this.connections.size;
  }

  /**
   * Closes the connections of agents that lost trust (revoked, disabled, rejected, deleted, replaced
   * key), wherever they are connected; `message` says which, and is what the agent logs.
   */
  disconnect(agentIds: readonly string[], code: Extract<ErrorCode, 'AGENT_REVOKED'>, message: string): void {
    // Here at once (also a connection still in its handshake's last step), elsewhere through the bus.
    this.refuse(agentIds, code, message);
    this.options.bus.commands.send({ type: 'refuse', agentIds: [...agentIds], code, message }).catch((err: unknown) => {
      this.options.logger.error({ err }, 'agents could not be told that they lost trust');
    });
  }

  private refuse(agentIds: readonly string[], code: Extract<ErrorCode, 'AGENT_REVOKED'>, message: string): void {
    for (const agentId of agentIds)
      this.connections.get(agentId)?.refuse({ code, message, closeCode: ChannelCloseCode.forbidden });
  }

  /** Step 1 of shutdown (preClose): stop the timers and say goodbye to every agent. */
  beginShutdown(): void {
    this.shuttingDown = true;
    clearInterval(this.timer);
    void this.dispatcher.stop();
    for (const stop of this.unsubscribe.splice(0)) stop();
    this.leaving = [...this.connections.keys()];
    for (const connection of this.all) connection.close(ChannelCloseCode.goingAway, 'server shutting down');
  }

  /** Step 2 (onClose): let in-flight frames and progress finish, then record its agents offline. */
  async finishShutdown(): Promise<void> {
    await Promise.all([...this.all].map((c) => c.idle()));
    await this.dispatcher.stop();
    this.connections.clear();
    await this.sessions.gone(this.leaving, 'shutdown');
    await this.history.flush();
  }
}
