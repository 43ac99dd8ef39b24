import { randomBytes } from 'node:crypto';
import { KeyedQueue } from '../git/keyed-queue.js';
import type {
  AgentCommands,
  AgentPresence,
  ClusterBus,
  ClusterEvents,
  ClusterLocks,
  PresenceClaim,
  Unsubscribe,
} from './cluster-bus.js';
import { commandAgents, commandFor } from './cluster-messages.js';
import type { AgentCommand, ClusterEvent, ClusterEventType } from './cluster-messages.js';

export interface MemoryClusterOptions {
  /** How long a replica's claims outlive its last heartbeat. @default 30_000 */
  leaseMs?: number;
  /** Where a subscriber or command handler that threw is reported (they never break the bus). */
  onError: (err: unknown, context: string) => void;
}

type EventHandler = (event: ClusterEvent) => void;

/** A replica as the cluster sees it. */
interface Member {
  readonly id: string;
  lastBeat: number;
  /** False once it closed or crashed: nothing is delivered to it. */
  listening: boolean;
  readonly subscribers: Map<ClusterEventType, Set<EventHandler>>;
  commandHandler: ((command: AgentCommand) => Promise<void>) | undefined;
  readonly expiredHandlers: Set<(agentIds: string[]) => void>;
  timer: NodeJS.Timeout | undefined;
}

interface Holding {
  readonly replicaId: string;
  readonly claimId: string;
}

/**
 * The cluster bus of one process: the default, and a faithful model of the PostgreSQL one for
 * tests (`join` several replicas to one `MemoryCluster`). Claims are leases renewed by each
 * replica's heartbeat (a third of the lease); `crash` stops a replica as a kill would, so its
 * claims linger until they expire and another replica learns of it. Events and commands are
 * delivered on the microtask queue, by reference: messages are plain data, never mutated.
 */
export class MemoryCluster {
  readonly #members = new Map<string, Member>();
  readonly #claims = new Map<string, Holding>();
  readonly #locks = new KeyedQueue();
  readonly #leaseMs: number;
  readonly #onError: (err: unknown, context: string) => void;

  constructor(options: MemoryClusterOptions) {
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#onError = options.onError;
  }

  /** A new replica's bus (`replicaId` defaults to a random id). */
  join(replicaId = `rep_${randomBytes(9).toString('base64url')}`): ClusterBus {
    if (this.#members.has(replicaId)) throw new Error(`replica ${replicaId} is already in the cluster`);
    const member: Member = {
      id: replicaId,
      lastBeat: Date.now(),
      listening: true,
      subscribers: new Map(),
      commandHandler: undefined,
      expiredHandlers: new Set(),
      timer: undefined,
    };
    member.timer = setInterval(() => this.#heartbeat(member), Math.max(1, Math.floor(this.#leaseMs / 3)));
    member.timer.unref();
    this.#members.set(replicaId, member);
    const events: ClusterEvents = {
      publish: (event) => this.#publish(event),
      subscribe: (type, handler) => this.#subscribe(member, type, handler as EventHandler),
    };
    const presence: AgentPresence = {
      claim: (agentId) => Promise.resolve(this.#claim(member, agentId)),
      release: (claim) => {
        this.#release(claim);
        return Promise.resolve();
      },
      holders: (agentIds) => Promise.resolve(this.#holders(agentIds)),
      onExpired: (handler) => this.#listen(member, member.expiredHandlers, handler),
    };
    const commands: AgentCommands = {
      send: (command) => this.#send(member, command),
      onCommand: (handler) => {
        member.commandHandler = handler;
        return () => {
          if (member.commandHandler === handler) member.commandHandler = undefined;
        };
      },
    };
    const locks: ClusterLocks = { run: (key, task) => this.#locks.run(key, task) };
    const close = () => {
      this.#leave(member);
      return Promise.resolve();
    };
    return { replicaId, events, presence, commands, locks, close };
  }

  /** Stops a replica as `kill -9` would: no heartbeat, nothing delivered; its claims expire later. */
  crash(replicaId: string): void {
    const member = this.#members.get(replicaId);
    if (member === undefined) return;
    member.listening = false;
    clearInterval(member.timer);
  }

  /**
   * A replica that runs holds its claims (in one process a stalled event loop is not a death);
   * a crashed one until its lease, counted from its last heartbeat, runs out.
   */
  #live(replicaId: string, now: number): boolean {
    const member = this.#members.get(replicaId);
    return member !== undefined && (member.listening || now - member.lastBeat <= this.#leaseMs);
  }

  #publish(event: ClusterEvent): Promise<void> {
    for (const member of this.#members.values()) {
      // Nobody on that replica listens for it now: nothing to deliver (the common case on the hot path).
      if (!member.listening || (member.subscribers.get(event.type)?.size ?? 0) === 0) continue;
      queueMicrotask(() => {
        if (!member.listening) return;
        for (const handler of member.subscribers.get(event.type) ?? []) {
          try {
            handler(event);
          } catch (err) {
            this.#onError(err, `cluster event ${event.type}`);
          }
        }
      });
    }
    return Promise.resolve();
  }

  #subscribe(member: Member, type: ClusterEventType, handler: EventHandler): Unsubscribe {
    let handlers = member.subscribers.get(type);
    if (handlers === undefined) {
      handlers = new Set();
      member.subscribers.set(type, handlers);
    }
    return this.#listen(member, handlers, handler);
  }

  #listen<H>(member: Member, set: Set<H>, handler: H): Unsubscribe {
    if (member.listening) set.add(handler);
    return () => void set.delete(handler);
  }

  #claim(member: Member, agentId: string): PresenceClaim {
    const claim = { agentId, claimId: randomBytes(9).toString('base64url') };
    const previous = this.#claims.get(agentId);
    this.#claims.set(agentId, { replicaId: member.id, claimId: claim.claimId });
    if (previous !== undefined && previous.replicaId !== member.id)
      this.#deliver(previous.replicaId, { type: 'replaced', agentIds: [agentId] });
    return claim;
  }

  #release(claim: PresenceClaim): void {
    if (this.#claims.get(claim.agentId)?.claimId === claim.claimId) this.#claims.delete(claim.agentId);
  }

  #holders(agentIds: readonly string[]): Map<string, string> {
    const now = Date.now();
    const held = new Map<string, string>();
    for (const agentId of agentIds) {
      const holding = this.#claims.get(agentId);
      if (holding !== undefined && this.#live(holding.replicaId, now)) held.set(agentId, holding.replicaId);
    }
    return held;
  }

  async #send(from: Member, command: AgentCommand): Promise<void> {
    const byHolder = new Map<string, Set<string>>();
    for (const [agentId, replicaId] of this.#holders(commandAgents(command))) {
      const ids = byHolder.get(replicaId) ?? new Set<string>();
      ids.add(agentId);
      byHolder.set(replicaId, ids);
    }
    const own = byHolder.get(from.id);
    byHolder.delete(from.id);
    for (const [replicaId, ids] of byHolder) this.#deliver(replicaId, commandFor(command, ids));
    if (own !== undefined && from.listening) await from.commandHandler?.(commandFor(command, own));
  }

  /** A command to another replica: on its way, not awaited (as a notification would be). */
  #deliver(replicaId: string, command: AgentCommand): void {
    const member = this.#members.get(replicaId);
    if (member === undefined || !member.listening) return;
    queueMicrotask(() => {
      if (!member.listening || member.commandHandler === undefined) return;
      member.commandHandler(command).catch((err: unknown) => this.#onError(err, `agent command ${command.type}`));
    });
  }

  /** Renews the replica's lease, then takes over claims whose holder's lease ran out. */
  #heartbeat(member: Member): void {
    const now = Date.now();
    member.lastBeat = now;
    const expired: string[] = [];
    for (const [agentId, holding] of this.#claims) {
      if (this.#live(holding.replicaId, now)) continue;
      this.#claims.delete(agentId);
      expired.push(agentId);
    }
    if (expired.length === 0) return;
    for (const handler of member.expiredHandlers) {
      try {
        handler(expired);
      } catch (err) {
        this.#onError(err, 'expired claims');
      }
    }
  }

  #leave(member: Member): void {
    member.listening = false;
    clearInterval(member.timer);
    member.subscribers.clear();
    member.expiredHandlers.clear();
    member.commandHandler = undefined;
    for (const [agentId, holding] of this.#claims) if (holding.replicaId === member.id) this.#claims.delete(agentId);
    this.#members.delete(member.id);
  }
}
