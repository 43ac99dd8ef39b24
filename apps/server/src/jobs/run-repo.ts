import type { Kysely, Updateable } from 'kysely';
import type { CalledWorkflow, JobPayload, RunState } from '@flotilla/protocol';
import { nowIso } from '../store/time.js';
import type { WriteTransaction } from '../store/group-commit.js';
import { preparedQuery, type PreparedQuery } from '../store/prepared.js';
import type { Database, RunTable } from '../store/schema.js';
import { calledWorkflowsOfColumn } from './job-repo.js';
import { ACTIVE_RUN_STATES, aggregateJobState } from './job-state.js';
import type { JobUpdate } from './job-events.js';
import { storedFailure } from './run-failure.js';
import { resolveTransition } from './run-transitions.js';
import type { RunTransitionName, TransitionTarget } from './run-transitions.js';

/** What the hub needs to offer a run to its agent. */
export interface RunOffer {
  runId: string;
  jobId: string;
  agentId: string;
  /** The job's tenant and project: the scope its declared secrets are resolved in. */
  tenantId: string;
  projectId: string;
  workflowText: string;
  /** The workflow versions it calls (sent in the envelope). */
  calledWorkflows: CalledWorkflow[];
  /** Secret names the workflow declares (resolved when the envelope is signed). */
  secretNames: string[];
  inputs: Record<string, unknown>;
  completedSteps: JobPayload['completedSteps'];
  /** Whether the run was already dispatched (a re-offer) or is taken from the queue now. */
  state: 'queued' | 'dispatched';
}

const agentSlotsQuery = preparedQuery((db, p: { agentId: string }) =>
  db.selectFrom('agents').select('max_concurrent_runs').where('id', '=', p.agentId),
);

/** An agent's runs with what their offer needs. */
const offerBase = (db: Kysely<Database>, agentId: string) =>
  db
    .selectFrom('runs')
    .innerJoin('jobs', 'jobs.id', 'runs.job_id')
    .select([
      'runs.id',
      'runs.job_id',
      'runs.agent_id',
      'runs.state',
      'runs.completed_steps',
      'jobs.workflow_text',
      'jobs.called_workflows',
      'jobs.secret_names',
      'jobs.inputs',
      'jobs.tenant_id',
      'jobs.project_id',
    ])
    .where('runs.agent_id', '=', agentId);

const activeOffersQuery = preparedQuery((db, p: { agentId: string }) =>
  offerBase(db, p.agentId).where('runs.state', 'in', [...ACTIVE_RUN_STATES]),
);

const queuedOffersQuery = preparedQuery((db, p: { agentId: string; now: string; free: number }) =>
  offerBase(db, p.agentId)
    .where('runs.state', '=', 'queued')
    .whereRef('runs.batch', '<=', 'jobs.active_batch')
    .where((eb) => eb.or([eb('jobs.expires_at', 'is', null), eb('jobs.expires_at', '>', p.now)]))
    .orderBy('runs.created_at')
    .orderBy('runs.id')
    .limit(p.free),
);

/**
 * Runs to offer an agent now: its dispatched runs when `resend` (their offer may have been lost
 * with a previous connection; the agent dedupes by run id), then queued runs of active rollout
 * batches, oldest first, as long as the agent has free slots (`max_concurrent_runs` minus its
 * dispatched and running runs). Runs whose job expired are not offered (the sweeper expires them).
 */
export async function offersForAgent(
  db: Kysely<Database>,
  agentId: string,
  options: { resend: boolean },
): Promise<RunOffer[]> {
  const agent = await agentSlotsQuery.takeFirst(db, { agentId });
  if (agent === undefined) return [];
  const active = await activeOffersQuery.execute(db, { agentId });
  const free = agent.max_concurrent_runs - active.length;
  const resend = options.resend ? active.filter((r) => r.state === 'dispatched') : [];
  const queued = free <= 0 ? [] : await queuedOffersQuery.execute(db, { agentId, now: nowIso(), free });
  return [...resend, ...queued].map((r) => ({
    runId: r.id,
    jobId: r.job_id,
    agentId: r.agent_id,
    tenantId: r.tenant_id,
    projectId: r.project_id,
    workflowText: r.workflow_text,
    calledWorkflows: calledWorkflowsOfColumn(r.called_workflows),
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

/** Columns a transition may set besides the state: plain values. */
export type RunValues = Omit<Updateable<RunTable>, 'id' | 'state'>;

/** A state change of one run of one agent, named by its entry in `RUN_TRANSITIONS`. */
export type RunTransition = {
  [N in RunTransitionName]: {
    runId: string;
    agentId: string;
    transition: N;
    set?: RunValues;
    /** Sets `started_at` unless the run has one already (an `unknown` run that comes back keeps it). */
    startedAt?: string;
  } & TransitionTarget<N>;
}[RunTransitionName];

type TransitionParams = Record<string, unknown> & { runId: string; agentId: string; to: string };
type TransitionRow = { job_id: string; tenant_id: string; project_id: string };

/** Transitions with one target state, which a bulk change can apply without naming it. */
type SingleTargetTransition = Exclude<RunTransitionName, 'finish'>;

/** One prepared update per transition shape (its `from` states and the columns it sets). */
const transitionQueries = new Map<string, PreparedQuery<TransitionParams, TransitionRow>>();

function transitionQuery(
  fromStates: readonly RunState[],
  columns: readonly string[],
  withStart: boolean,
): PreparedQuery<TransitionParams, TransitionRow> {
  const key = `${fromStates.join(',')}|${columns.join(',')}|${withStart ? 'started' : ''}`;
  let query = transitionQueries.get(key);
  if (query === undefined) {
    const from = [...fromStates];
    query = preparedQuery((db, p: TransitionParams) =>
      db
        .updateTable('runs')
        .set((eb) => ({
          ...Object.fromEntries(columns.map((c) => [c, p[`set_${c}`]])),
          ...(withStart ? { started_at: eb.fn.coalesce('started_at', eb.val(p.startedAt as string)) } : {}),
          state: p.to,
        }))
        .where('id', '=', p.runId)
        .where('agent_id', '=', p.agentId)
        .where('state', 'in', from)
        .returning(['job_id', 'tenant_id', 'project_id']),
    );
    transitionQueries.set(key, query);
  }
  return query;
}

/**
 * The one place a run's state changes: applies a transition of `RUN_TRANSITIONS` (only from the
 * states its entry allows) and re-aggregates the job state. Returns the update to announce, or
 * `undefined` when the run is not this agent's or is no longer in a `from` state.
 */
export async function transitionRun(db: WriteTransaction, t: RunTransition): Promise<JobUpdate | undefined> {
  const { from, to } = resolveTransition(t.transition, t.to);
  const set = t.set ?? {};
  // as with Kysely's `set`, a column given `undefined` is left alone
  const columns = (Object.keys(set) as (keyof RunValues)[]).filter((c) => set[c] !== undefined).sort();
  const params: TransitionParams = { runId: t.runId, agentId: t.agentId, to, startedAt: t.startedAt };
  for (const c of columns) params[`set_${c}`] = set[c];
  const run = await transitionQuery(from, columns, t.startedAt !== undefined).takeFirst(db, params);
  if (run === undefined) return undefined;
  const jobState = await refreshJobState(db, run.job_id);
  return {
    tenantId: run.tenant_id,
    projectId: run.project_id,
    jobId: run.job_id,
    runId: t.runId,
    agentId: t.agentId,
    jobState,
    runState: to,
  };
}

/** Applies one single-target transition (with `set`) to each of `runs`; returns the updates to announce. */
export async function transitionRuns(
  db: WriteTransaction,
  runs: readonly { id: string; agent_id: string }[],
  transition: SingleTargetTransition,
  set: RunValues = {},
): Promise<JobUpdate[]> {
  const updates: JobUpdate[] = [];
  for (const run of runs) {
    const update = await transitionRun(db, { runId: run.id, agentId: run.agent_id, transition, set });
    if (update !== undefined) updates.push(update);
  }
  return updates;
}

/**
 * The agent's connection is gone: dispatched runs it never acknowledged go back to `queued` (they
 * are offered again), running ones become `unknown` until the agent returns and reports.
 */
export async function releaseAgentRuns(db: WriteTransaction, agentId: string): Promise<JobUpdate[]> {
  const runs = await db
    .selectFrom('runs')
    .select(['id', 'agent_id', 'state', 'cancel_requested'])
    .where('agent_id', '=', agentId)
    .where('state', 'in', [...ACTIVE_RUN_STATES])
    .execute();
  // A cancelled run is never offered again: if its offer did arrive, the agent learns of the
  // cancel on reconnect; until then it is `unknown`.
  const requeue = runs.filter((r) => r.state === 'dispatched' && r.cancel_requested === 0);
  const updates = await transitionRuns(db, requeue, 'requeue', { dispatched_at: null });
  updates.push(
    ...(await transitionRuns(
      db,
      runs.filter((r) => !requeue.includes(r)),
      'lose',
    )),
  );
  return updates;
}

/** Queued runs of jobs whose `expires_at` passed end `expired` (SPEC §6). */
export async function expireRuns(db: WriteTransaction, now = nowIso()): Promise<JobUpdate[]> {
  const runs = await db
    .selectFrom('runs')
    .innerJoin('jobs', 'jobs.id', 'runs.job_id')
    .select(['runs.id', 'runs.agent_id', 'runs.state'])
    .where('runs.state', '=', 'queued')
    .where('jobs.expires_at', 'is not', null)
    .where('jobs.expires_at', '<=', now)
    .limit(1000)
    .execute();
  // retryable: a re-run may reach the agent once it is back
  const error = storedFailure({ code: 'EXPIRED', message: 'not delivered before the job expired', retryable: true });
  return transitionRuns(db, runs, 'expire', { error, finished_at: now });
}

const jobStateCountsQuery = preparedQuery((db, p: { jobId: string }) =>
  db
    .selectFrom('runs')
    .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('job_id', '=', p.jobId)
    .groupBy('state'),
);

const jobStateUpdate = preparedQuery((db, p: { jobId: string; state: string; updatedAt: string }) =>
  db
    .updateTable('jobs')
    .set({ state: p.state, updated_at: p.updatedAt })
    .where('id', '=', p.jobId)
    .where('state', '<>', p.state),
);

/** Recomputes and stores a job's state from its runs (counted per state: a fan-out has many). */
export async function refreshJobState(db: WriteTransaction, jobId: string): Promise<RunState> {
  const rows = await jobStateCountsQuery.execute(db, { jobId });
  const state = aggregateJobState(Object.fromEntries(rows.map((r) => [r.state, Number(r.n)])));
  await jobStateUpdate.execute(db, { jobId, state, updatedAt: nowIso() });
  return state;
}
