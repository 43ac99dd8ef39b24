import type { AgentCommand, ClusterEvent, ClusterEventType } from './cluster-messages.js';

/** Ends a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/**
 * Events every replica hears. Publishers publish what is committed, so a subscriber that re-reads
 * the store sees the change. Delivery is asynchronous (never inside `publish`), to every live
 * replica including the publisher's, at most once per subscriber, and in publish order for one
 * publishing replica. A subscriber that must not miss anything (log follow) treats an event as a
 * hint and reads the store from where it is. PostgreSQL: `NOTIFY` on one channel after commit.
 */
export interface ClusterEvents {
  /** Hands `event` to the bus; resolves once it is on its way (not once it was handled). */
  publish(event: ClusterEvent): Promise<void>;
  subscribe<K extends ClusterEventType>(
    type: K,
    handler: (event: Extract<ClusterEvent, { type: K }>) => void,
  ): Unsubscribe;
}

/** One connection's hold on an agent; releasing it never undoes a newer claim. */
export interface PresenceClaim {
  readonly agentId: string;
  readonly claimId: string;
}

/**
 * Which replica holds each agent's connection. A claim is a lease the replica renews while it
 * lives (PostgreSQL: a row per agent with `replica_id`, `claim_id` and `lease_expires_at`, renewed
 * for all of a replica's claims in one statement). A replica that dies stops renewing; once its
 * leases expire its agents are nobody's, and exactly one live replica learns so through `onExpired`.
 */
export interface AgentPresence {
  /**
   * Makes this replica the holder of `agentId`'s connection. A replica that held it before gets
   * the command `replaced` (its connection is stale: the agent reconnected elsewhere).
   */
  claim(agentId: string): Promise<PresenceClaim>;
  /** Gives up a claim, at once; does nothing when the agent was claimed again since. */
  release(claim: PresenceClaim): Promise<void>;
  /** The live holder (replica id) of each of these agents that has one. */
  holders(agentIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** Agents whose holder's lease expired (that replica died): they are nobody's now. */
  onExpired(handler: (agentIds: string[]) => void): Unsubscribe;
}

/**
 * Work routed to the replica holding an agent (SPEC §10: "reach the replica that holds an agent's
 * connection"). PostgreSQL: `NOTIFY` on the holder's own channel.
 */
export interface AgentCommands {
  /**
   * Delivers the command, split per holder, to the replicas holding its agents; agents nobody
   * holds are left out (they get queued runs, cancels and trust checks when they connect).
   * Resolves once every part is on its way, and once this replica's own part is handled, so a
   * caller sees the effect of work for agents connected here (a submit answers `dispatched`).
   */
  send(command: AgentCommand): Promise<void>;
  /** This replica's handler of commands for agents it holds (one per replica). */
  onCommand(handler: (command: AgentCommand) => Promise<void>): Unsubscribe;
}

/** Mutual exclusion across replicas. PostgreSQL: an advisory lock held for the task. */
export interface ClusterLocks {
  /** Runs tasks of one key one after another, cluster-wide, in arrival order per replica. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/**
 * Everything that crosses control-plane replicas (SPEC §10) goes through this seam: events for
 * live views and bookkeeping, which replica holds which agent, commands to that replica, and
 * cluster-wide locks. One process uses the in-memory bus (`MemoryCluster`); several replicas on
 * PostgreSQL use `LISTEN/NOTIFY` and presence rows with leases, behind the same interface and
 * the same contract tests (`test/cluster/cluster-bus-contract.ts`).
 */
export interface ClusterBus {
  /** This replica's id, unique in the cluster for the life of the process. */
  readonly replicaId: string;
  readonly events: ClusterEvents;
  readonly presence: AgentPresence;
  readonly commands: AgentCommands;
  readonly locks: ClusterLocks;
  /** Leaves the cluster: claims released, subscriptions ended, nothing delivered after. */
  close(): Promise<void>;
}
