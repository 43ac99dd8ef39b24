import type { Kysely, UpdateObject } from 'kysely';
import type { JobPayload, RunState } from '@flotilla/protocol';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import { ACTIVE_RUN_STATES, aggregateJobState } from './job-state.js';
import type { JobUpdate } from './job-events.js';

/** What the hub needs to offer a run to its agent. */
export interface RunOffer {
  runId: string;
  jobId: string;
  agentId: string;
  /** The job's tenant and project: the scope its declared secrets are resolved in. */
  tenantId: string;
  projectId: string;
  workflowText: string;
  /** Secret names the workflow declares (resolved when the envelope is signed). */
  secretNames: string[];
  inputs: Record<string, unknown>;
  completedSteps: JobPayload['completedSteps'];
  /** Whether the run was already dispatched (a re-offer) or is taken from the queue now. */
  state: 'queued' | 'dispatched';
}

/**
 * Runs to offer an agent now: its dispatched runs when `resend` (their offer may have been lost
 * with a previous connection; the agent dedupes by run id), then queued runs of active rollout
 * batches, oldest first, as long as the agent has free slots (`max_concurrent_runs` minus its
 * dispatched and running runs). Runs whose job expired are not offered (the sweeper expires them).
 */
export async function offersForAgent(db: Kysely<Database>, agentId: string, options: { resend: boolean }): Promise<RunOffer[]> {
  const agent = await db.selectFrom('agents').select('max_concurrent_runs').where('id', '=', agentId).executeTakeFirst();
  if (agent === undefined) return [];
  const now = nowIso();
  const base = db
    .selectFrom('runs')
    .innerJoin('jobs', 'jobs.id', 'runs.job_id')
    .select([
      'runs.id',
      'runs.job_id',
      'runs.agent_id',
      'runs.state',
      'runs.completed_steps',
      'jobs.workflow_text',
      'jobs.secret_names',
      'jobs.inputs',
      'jobs.tenant_id',
      'jobs.project_id',
    ])
    .where('runs.agent_id', '=', agentId);
  const active = await base.where('runs.state', 'in', [...ACTIVE_RUN_STATES]).execute();
  const free = agent.max_concurrent_runs - active.length;
  const resend = options.resend ? active.filter((r) => r.state === 'dispatched') : [];
  const queued =
    free <= 0
      ? []
      : await base
          .where('runs.state', '=', 'queued')
          .whereRef('runs.batch', '<=', 'jobs.active_batch')
          .where((eb) => eb.or([eb('jobs.expires_at', 'is', null), eb('jobs.expires_at', '>', now)]))
          .orderBy('runs.created_at')
          .orderBy('runs.id')
          .limit(free)
          .execute();
  return [...resend, ...queued].map((r) => ({
    runId: r.id,
    jobId: r.job_id,
    agentId: r.agent_id,
    tenantId: r.tenant_id,
    projectId: r.project_id,
    workflowText: r.workflow_text,
    secretNames: JSON.parse(r.secret_names) as string[],
    inputs: JSON.parse(r.inputs) as Record<string, unknown>,
    completedSteps: r.completed_steps === null ? {} : (JSON.parse(r.completed_steps) as JobPayload['completedSteps']),
    state: r.state as 'queued' | 'dispatched',
  }));
}

/** Runs of an agent cancelled while on it: `job.cancel` is (re)sent whenever it connects. */
export async function pendingCancels(db: Kysely<Database>, agentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('runs')
    .select('id')
    .where('agent_id', '=', agentId)
    .where('cancel_requested', '=', 1)
    .where('state', 'in', ['dispatched', 'running', 'unknown'])
    .execute();
  return rows.map((r) => r.id);
}

/** A guarded state change of one run of one agent. */
export interface RunTransition {
  runId: string;
  agentId: string;
  /** The change applies only while the run is in one of these states (transitions go forward). */
  from: readonly RunState[];
  to: RunState;
  set?: Omit<UpdateObject<Database, 'runs'>, 'state'>;
}

/**
 * Applies a transition and re-aggregates the job state. Returns the update to announce, or
 * `undefined` when the run is not this agent's or is no longer in a `from` state.
 */
export async function transitionRun(db: Kysely<Database>, t: RunTransition): Promise<JobUpdate | undefined> {
  const run = await db
    .updateTable('runs')
    .set({ ...t.set, state: t.to })
    .where('id', '=', t.runId)
    .where('agent_id', '=', t.agentId)
    .where('state', 'in', [...t.from])
    .returning('job_id')
    .executeTakeFirst();
  if (run === undefined) return undefined;
  const jobState = await refreshJobState(db, run.job_id);
  return { jobId: run.job_id, runId: t.runId, agentId: t.agentId, jobState, runState: t.to };
}

/** Moves every run matching `where` to `to` (with `set`), announcing each; used for bulk changes. */
export async function transitionRuns(
  db: Kysely<Database>,
  runs: readonly { id: string; agent_id: string; state: string }[],
  to: RunState,
  set: Omit<UpdateObject<Database, 'runs'>, 'state'> = {},
): Promise<JobUpdate[]> {
  const updates: JobUpdate[] = [];
  for (const run of runs) {
    const update = await transitionRun(db, { runId: run.id, agentId: run.agent_id, from: [run.state as RunState], to, set });
    if (update !== undefined) updates.push(update);
  }
  return updates;
}

/**
 * The agent's connection is gone: dispatched runs it never acknowledged go back to `queued` (they
 * are offered again), running ones become `unknown` until the agent returns and reports.
 */
export async function releaseAgentRuns(db: Kysely<Database>, agentId: string): Promise<JobUpdate[]> {
  const runs = await db
    .selectFrom('runs')
    .select(['id', 'agent_id', 'state', 'cancel_requested'])
    .where('agent_id', '=', agentId)
    .where('state', 'in', [...ACTIVE_RUN_STATES])
    .execute();
  // A cancelled run is never offered again: if its offer did arrive, the agent learns of the
  // cancel on reconnect; until then it is `unknown`.
  const requeue = runs.filter((r) => r.state === 'dispatched' && r.cancel_requested === 0);
  const updates = await transitionRuns(db, requeue, 'queued', { dispatched_at: null });
  updates.push(...(await transitionRuns(db, runs.filter((r) => !requeue.includes(r)), 'unknown')));
  return updates;
}

/** After a control-plane restart nobody is connected: the same as every agent disconnecting. */
export async function releaseAllRuns(db: Kysely<Database>): Promise<void> {
  const agents = await db.selectFrom('runs').select('agent_id').distinct().where('state', 'in', [...ACTIVE_RUN_STATES]).execute();
  for (const { agent_id: agentId } of agents) await releaseAgentRuns(db, agentId);
}

/** Queued runs of jobs whose `expires_at` passed end `expired` (SPEC §6). */
export async function expireRuns(db: Kysely<Database>, now = nowIso()): Promise<JobUpdate[]> {
  const runs = await db
    .selectFrom('runs')
    .innerJoin('jobs', 'jobs.id', 'runs.job_id')
    .select(['runs.id', 'runs.agent_id', 'runs.state'])
    .where('runs.state', '=', 'queued')
    .where('jobs.expires_at', 'is not', null)
    .where('jobs.expires_at', '<=', now)
    .limit(1000)
    .execute();
  return transitionRuns(db, runs, 'expired', { error_code: 'EXPIRED', error: 'not delivered before the job expired', finished_at: now });
}

/** Recomputes and stores a job's state from its runs (counted per state: a fan-out has many). */
export async function refreshJobState(db: Kysely<Database>, jobId: string): Promise<RunState> {
  const rows = await db
    .selectFrom('runs')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('job_id', '=', jobId)
    .groupBy('state')
    .execute();
  const state = aggregateJobState(Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])));
  await db.updateTable('jobs').set({ state, updated_at: nowIso() }).where('id', '=', jobId).where('state', '<>', state).execute();
  return state;
}
