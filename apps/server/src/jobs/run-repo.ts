import type { Kysely, UpdateObject } from 'kysely';
import type { RunState } from '@flotilla/protocol';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import { aggregateJobState } from './job-state.js';
import type { JobUpdate } from './job-events.js';

/** What the hub needs to offer a run to its agent. */
export interface RunOffer {
  runId: string;
  jobId: string;
  agentId: string;
  workflowText: string;
  inputs: Record<string, unknown>;
}

/**
 * Runs to (re)offer to an agent that is connected: queued ones, and dispatched ones whose offer
 * may have been lost with the previous connection (the agent dedupes by run id in its journal).
 */
export async function openOffersForAgent(
  db: Kysely<Database>,
  agentId: string,
  filter: { states: readonly ('queued' | 'dispatched')[]; runId?: string | undefined },
): Promise<RunOffer[]> {
  let query = db
    .selectFrom('runs')
    .innerJoin('jobs', 'jobs.id', 'runs.job_id')
    .select(['runs.id', 'runs.job_id', 'runs.agent_id', 'jobs.workflow_text', 'jobs.inputs'])
    .where('runs.agent_id', '=', agentId)
    .where('runs.state', 'in', [...filter.states]);
  if (filter.runId !== undefined) query = query.where('runs.id', '=', filter.runId);
  const rows = await query.orderBy('runs.created_at').orderBy('runs.id').execute();
  return rows.map((r) => ({
    runId: r.id,
    jobId: r.job_id,
    agentId: r.agent_id,
    workflowText: r.workflow_text,
    inputs: JSON.parse(r.inputs) as Record<string, unknown>,
  }));
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
  const result = await db
    .updateTable('runs')
    .set({ ...t.set, state: t.to })
    .where('id', '=', t.runId)
    .where('agent_id', '=', t.agentId)
    .where('state', 'in', [...t.from])
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return undefined;
  const run = await db.selectFrom('runs').select('job_id').where('id', '=', t.runId).executeTakeFirstOrThrow();
  const jobState = await refreshJobState(db, run.job_id);
  return { jobId: run.job_id, runId: t.runId, jobState, runState: t.to };
}

/** Recomputes and stores a job's state from its runs. */
export async function refreshJobState(db: Kysely<Database>, jobId: string): Promise<RunState> {
  const runs = await db.selectFrom('runs').select('state').where('job_id', '=', jobId).execute();
  const state = aggregateJobState(runs.map((r) => r.state as RunState));
  await db.updateTable('jobs').set({ state, updated_at: nowIso() }).where('id', '=', jobId).where('state', '<>', state).execute();
  return state;
}
