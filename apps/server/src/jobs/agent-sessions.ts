import { setAgentConnection } from '../agents/agent-repo.js';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import type { WriteTransaction } from '../store/group-commit.js';
import type { Scope } from '../store/scope.js';
import type { Store } from '../store/store.js';
import { nowIso } from '../store/time.js';
import type { JobUpdate } from './job-events.js';
import { ACTIVE_RUN_STATES } from './job-state.js';
import type { RunDispatcher } from './run-dispatcher.js';
import { releaseAgentRuns } from './run-repo.js';

/** Concurrent runs of an agent that does not say (`hello.maxConcurrentRuns`). */
export const DEFAULT_MAX_CONCURRENT_RUNS = 4;

/** Ids per `in (…)` list: well under both engines' parameter limits. */
const ID_BATCH = 500;

/** An agent with the scope its announcements carry. */
export interface ScopedAgent extends Scope {
  readonly id: string;
}

/** What the store and the cluster learn when agents' connections come and go. */
export interface AgentSessionsOptions {
  store: Store;
  bus: ClusterBus;
  dispatcher: RunDispatcher;
}

/**
 * Why agents are gone: `disconnected` (their connection here ended: last seen now, runs
 * released), `orphaned` (the store says online or has runs on them, but no live replica holds
 * them: a fresh start, a replica that died; runs released), `shutdown` (this replica stops: they
 * reconnect elsewhere or to its successor, which releases what is left then).
 */
export type GoneReason = 'disconnected' | 'orphaned' | 'shutdown';

/**
 * The agent side of dispatch: online/offline and concurrency slots in the store, and the runs of
 * agents nobody holds any more handed back (dispatched → queued, running → unknown). Every change
 * is announced on the cluster bus after its commit.
 */
export class AgentSessions {
  readonly #options: AgentSessionsOptions;

  constructor(options: AgentSessionsOptions) {
    this.#options = options;
  }

  /** An agent authenticated on this replica (from `remoteAddress`): online, with the slots its `hello` offers. */
  async opened(
    agent: ScopedAgent,
    hello: { agentVersion: string; maxConcurrentRuns?: number | undefined; remoteAddress: string | null },
  ): Promise<void> {
    const { store, bus } = this.#options;
    await store.write(async (trx) => {
      await setAgentConnection(trx, agent.id, 'online', hello.agentVersion);
      await trx
        .updateTable('agents')
        .set({
          max_concurrent_runs: hello.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS,
          connected_at: nowIso(),
          remote_address: hello.remoteAddress,
        })
        .where('id', '=', agent.id)
        .execute();
    });
    await bus.events.publish({
      type: 'agent.changed',
      tenantId: agent.tenantId,
      projectId: agent.projectId,
      agentId: agent.id,
      change: 'online',
    });
  }

  /**
   * Records that these agents are gone, leaving out any a live replica holds now (a fast
   * reconnect, here or elsewhere: their runs are their successor's).
   */
  async gone(agentIds: readonly string[], reason: GoneReason): Promise<void> {
    const { store, bus, dispatcher } = this.#options;
    const held = await bus.presence.holders(agentIds);
    const gone = agentIds.filter((id) => !held.has(id));
    if (gone.length === 0) return;
    const { updates, agents } = await store.write(async (trx) => {
      if (reason === 'disconnected') for (const id of gone) await setAgentConnection(trx, id, 'offline');
      else await markOffline(trx, gone);
      const released: JobUpdate[] = [];
      if (reason !== 'shutdown') for (const id of gone) released.push(...(await releaseAgentRuns(trx, id)));
      return { updates: released, agents: await scopesOf(trx, gone) };
    });
    // An agent deleted meanwhile has no row and no scope: its `deleted` was announced already.
    for (const agent of agents) {
      await bus.events.publish({
        type: 'agent.changed',
        tenantId: agent.tenantId,
        projectId: agent.projectId,
        agentId: agent.id,
        change: 'offline',
      });
    }
    dispatcher.announce(updates, []);
  }

  /**
   * At start: the agents the store says are online or have runs on them that no live replica
   * holds are gone (in one process, all of them: nobody is connected to a fresh process; with
   * several replicas, only those whose replica died).
   */
  async releaseOrphans(): Promise<void> {
    const { db } = this.#options.store;
    const online = await db.selectFrom('agents').select('id').where('connection', '=', 'online').execute();
    const busy = await db
      .selectFrom('runs')
      .select('agent_id')
      .distinct()
      .where('state', 'in', [...ACTIVE_RUN_STATES])
      .execute();
    const ids = new Set([...online.map((r) => r.id), ...busy.map((r) => r.agent_id)]);
    await this.gone([...ids], 'orphaned');
  }
}

/** The tenant and project of these agents, which every announcement of them carries. */
async function scopesOf(trx: WriteTransaction, agentIds: readonly string[]): Promise<ScopedAgent[]> {
  const out: ScopedAgent[] = [];
  for (let i = 0; i < agentIds.length; i += ID_BATCH) {
    const rows = await trx
      .selectFrom('agents')
      .select(['id', 'tenant_id', 'project_id'])
      .where('id', 'in', agentIds.slice(i, i + ID_BATCH))
      .execute();
    for (const row of rows) out.push({ id: row.id, tenantId: row.tenant_id, projectId: row.project_id });
  }
  return out;
}

/** Offline without a new last-seen time (the agent was not seen: its replica is gone). */
async function markOffline(trx: WriteTransaction, agentIds: readonly string[]): Promise<void> {
  for (let i = 0; i < agentIds.length; i += ID_BATCH) {
    await trx
      .updateTable('agents')
      .set({ connection: 'offline' })
      .where('id', 'in', agentIds.slice(i, i + ID_BATCH))
      .where('connection', '=', 'online')
      .execute();
  }
}
