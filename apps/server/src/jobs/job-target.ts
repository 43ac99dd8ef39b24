import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { CountOrPercent, JobTarget, Labels } from '@flotilla/protocol';
import { resolveTargetAgent } from '../agents/agent-repo.js';
import type { AgentRow } from '../agents/agent-repo.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

/** Rollout of a fan-out job, compiled against the number of matching agents. */
export interface CompiledRollout {
  /** Runs per batch (≥ 1). */
  batchSize: number;
  /** Failed runs tolerated; one more cancels every run still queued. `null`: unlimited. */
  maxFailures: number | null;
}

/** The agents a job runs on, in batch order, and the rollout that paces them. */
export interface ResolvedTarget {
  agents: { id: string; name: string; batch: number }[];
  rollout: CompiledRollout | null;
}

function share(value: CountOrPercent, total: number, round: (n: number) => number): number {
  return typeof value === 'number' ? value : round((total * Number.parseInt(value, 10)) / 100);
}

/** `batch_size` rounds up (at least 1); `max_failures` rounds down; `stop_on_failure` means 0. */
export function compileRollout(
  rollout: Extract<JobTarget, { selector: unknown }>['rollout'],
  total: number,
): CompiledRollout {
  const batchSize =
    rollout?.batch_size === undefined ? total : Math.max(1, share(rollout.batch_size, total, Math.ceil));
  let maxFailures: number | null = null;
  if (rollout?.stop_on_failure === true) maxFailures = 0;
  else if (rollout?.max_failures !== undefined) maxFailures = share(rollout.max_failures, total, Math.floor);
  return { batchSize: Math.max(1, batchSize), maxFailures };
}

function matches(labels: Labels, selector: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Approved, trusted agents of the scope whose labels include every selector label, by name. */
async function selectAgents(db: Kysely<Database>, scope: Scope, selector: Labels): Promise<AgentRow[]> {
  const rows = await db
    .selectFrom('agents')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('approval', '=', 'approved')
    .where('replaces_agent_id', 'is', null)
    .orderBy('name')
    .execute();
  return rows.filter((row) => matches(JSON.parse(row.labels) as Labels, selector));
}

/** Open runs (queued, dispatched, running) per agent: the load `mode: any` balances. */
async function loadOf(db: Kysely<Database>, agentIds: string[]): Promise<Map<string, number>> {
  const load = new Map<string, number>();
  if (agentIds.length === 0) return load;
  const rows = await db
    .selectFrom('runs')
    .select(['agent_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('agent_id', 'in', agentIds)
    .where('state', 'in', ['queued', 'dispatched', 'running'])
    .groupBy('agent_id')
    .execute();
  for (const row of rows) load.set(row.agent_id, Number(row.n));
  return load;
}

/**
 * Resolves a target to agents (SPEC §6). `{agent}`: that agent (name or id). `{selector, mode:
 * 'all'}`: every match, in batches. `{selector, mode: 'any'}`: one match, online ones first, then
 * the fewest open runs, then by name; when none is online the run queues for the best offline one.
 * Throws `TARGET_NOT_FOUND` when nothing matches.
 */
export async function resolveTarget(
  db: Kysely<Database>,
  scope: Scope,
  target: JobTarget,
  /** Which of these agents are connected to a live replica (the cluster's presence). */
  connected: (agentIds: readonly string[]) => Promise<ReadonlyMap<string, string>>,
): Promise<ResolvedTarget> {
  if ('agent' in target) {
    const agent = await resolveTargetAgent(db, scope, target.agent);
    // A pending agent may be targeted by name: the run waits, queued, for its approval.
    if (agent === undefined || agent.approval === 'disabled') {
      throw new FlotillaError('TARGET_NOT_FOUND', { detail: `No usable agent named or with id "${target.agent}"` });
    }
    return { agents: [{ id: agent.id, name: agent.name, batch: 0 }], rollout: null };
  }
  const matching = await selectAgents(db, scope, target.selector);
  if (matching.length === 0) {
    const selector = Object.entries(target.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    throw new FlotillaError('TARGET_NOT_FOUND', { detail: `No approved agent matches the selector ${selector}` });
  }
  if (target.mode === 'any') {
    const ids = matching.map((a) => a.id);
    const load = await loadOf(db, ids);
    const online = await connected(ids);
    const rank = (a: AgentRow) => [online.has(a.id) ? 0 : 1, load.get(a.id) ?? 0] as const;
    const best = matching.reduce((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return (ra[0] - rb[0] || ra[1] - rb[1] || a.name.localeCompare(b.name)) <= 0 ? a : b;
    });
    return { agents: [{ id: best.id, name: best.name, batch: 0 }], rollout: null };
  }
  const rollout = compileRollout(target.rollout, matching.length);
  return {
    agents: matching.map((a, i) => ({ id: a.id, name: a.name, batch: Math.floor(i / rollout.batchSize) })),
    // One batch and no failure limit: nothing to pace, so no rollout bookkeeping per finished run.
    rollout: rollout.batchSize >= matching.length && rollout.maxFailures === null ? null : rollout,
  };
}
