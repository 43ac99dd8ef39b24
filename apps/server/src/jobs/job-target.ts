import type { Kysely } from 'kysely';
import { FlotillaError, matchesLabelSelector } from '@flotilla/protocol';
import type { CountOrPercent, JobTarget, Labels, Rollout } from '@flotilla/protocol';
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
export function compileRollout(rollout: Rollout | undefined, total: number): CompiledRollout {
  const batchSize =
    rollout?.batch_size === undefined ? total : Math.max(1, share(rollout.batch_size, total, Math.ceil));
  let maxFailures: number | null = null;
  if (rollout?.stop_on_failure === true) maxFailures = 0;
  else if (rollout?.max_failures !== undefined) maxFailures = share(rollout.max_failures, total, Math.floor);
  return { batchSize: Math.max(1, batchSize), maxFailures };
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
  return rows.filter((row) => matchesLabelSelector(JSON.parse(row.labels) as Labels, selector));
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

/** Ids or names per `in (…)` list: well under both engines' parameter limits. */
const NAME_BATCH = 500;

/**
 * `{agents}`: each agent named, by id or else by trusted name, as `{agent}` resolves one (a
 * revoked agent never, a disabled one neither), once, by name; `TARGET_NOT_FOUND` names those
 * missing. Two queries per 500 names, whatever the fan-out.
 */
async function listedAgents(db: Kysely<Database>, scope: Scope, names: readonly string[]): Promise<AgentRow[]> {
  const wanted = [...new Set(names)];
  const byId = new Map<string, AgentRow>();
  const byName = new Map<string, AgentRow>();
  for (let i = 0; i < wanted.length; i += NAME_BATCH) {
    const batch = wanted.slice(i, i + NAME_BATCH);
    const scoped = db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', scope.tenantId)
      .where('project_id', '=', scope.projectId);
    for (const row of await scoped.where('id', 'in', batch).execute()) byId.set(row.id, row);
    const trusted = await scoped
      .where('name', 'in', batch)
      .where('replaces_agent_id', 'is', null)
      .where('approval', '<>', 'revoked')
      .execute();
    for (const row of trusted) byName.set(row.name, row);
  }
  const found = new Map<string, AgentRow>();
  const missing: string[] = [];
  for (const name of wanted) {
    const row = byId.has(name) ? byId.get(name) : byName.get(name);
    if (row === undefined || row.approval === 'revoked' || row.approval === 'disabled') missing.push(name);
    else found.set(row.id, row);
  }
  if (missing.length > 0) {
    const named = missing.slice(0, 20).map((m) => `"${m}"`);
    throw new FlotillaError('TARGET_NOT_FOUND', {
      detail: `No usable agent named or with id ${named.join(', ')}${missing.length > 20 ? ` (and ${missing.length - 20} more)` : ''}`,
    });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs in rollout batches over `agents` (already in order); no rollout when there is nothing to pace. */
function fanOut(agents: readonly AgentRow[], rollout: Rollout | undefined): ResolvedTarget {
  const compiled = compileRollout(rollout, agents.length);
  return {
    agents: agents.map((a, i) => ({ id: a.id, name: a.name, batch: Math.floor(i / compiled.batchSize) })),
    // One batch and no failure limit: nothing to pace, so no rollout bookkeeping per finished run.
    rollout: compiled.batchSize >= agents.length && compiled.maxFailures === null ? null : compiled,
  };
}

/**
 * Resolves a target to agents (SPEC §6). `{agent}`: that agent (name or id). `{agents}`: each of
 * those, in batches. `{selector, mode: 'all'}`: every match, in batches. `{selector, mode:
 * 'any'}`: one match, online ones first, then the fewest open runs, then by name; when none is
 * online the run queues for the best offline one.
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
  if ('agents' in target) return fanOut(await listedAgents(db, scope, target.agents), target.rollout);
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
  return fanOut(matching, target.rollout);
}
