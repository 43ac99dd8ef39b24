import type { Kysely } from 'kysely';
import { TERMINAL_STATES } from '@flotilla/protocol';
import type { RunState } from '@flotilla/protocol';
import type { WriteTransaction } from '../store/group-commit.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import type { JobUpdate } from './job-events.js';
import { FAILURE_STATES } from './job-state.js';
import type { CompiledRollout } from './job-target.js';
import { storedFailure } from './run-failure.js';
import { refreshJobState, transitionRuns } from './run-repo.js';

/** What moving a rollout forward changed. */
export interface RolloutStep {
  updates: JobUpdate[];
  /** Agents that may now have runs to receive (next batch opened). */
  agentIds: string[];
  /** The batch opened now, with the job's scope (what `rollout.changed` announces); `null` if none. */
  opened: (Scope & { activeBatch: number }) | null;
}

/** Whether a job paces its runs (batches or a failure limit); most jobs do not. */
export async function hasRollout(db: Kysely<Database>, jobId: string): Promise<boolean> {
  const job = await db.selectFrom('jobs').select('rollout').where('id', '=', jobId).executeTakeFirst();
  return job?.rollout != null;
}

/**
 * Moves a fan-out job's rollout forward after one of its runs ended (SPEC §6):
 * - when the failed runs (failed, timed_out, interrupted) exceed `maxFailures`, every run still
 *   `queued` (later batches, and agents not reached yet) is `cancelled`;
 * - when every run of the batches opened so far is final, the next batch opens.
 */
export async function advanceRollout(db: WriteTransaction, jobId: string): Promise<RolloutStep> {
  const job = await db
    .selectFrom('jobs')
    .select(['rollout', 'active_batch', 'tenant_id', 'project_id'])
    .where('id', '=', jobId)
    .executeTakeFirst();
  const step: RolloutStep = { updates: [], agentIds: [], opened: null };
  if (job?.rollout == null) return step;
  const rollout = JSON.parse(job.rollout) as CompiledRollout;
  const runs = await db
    .selectFrom('runs')
    .select(['id', 'agent_id', 'state', 'batch'])
    .where('job_id', '=', jobId)
    .execute();
  const failures = runs.filter((r) => (FAILURE_STATES as readonly string[]).includes(r.state)).length;
  if (rollout.maxFailures !== null && failures > rollout.maxFailures) {
    const queued = runs.filter((r) => r.state === 'queued');
    const message = `rollout stopped: ${failures} failed runs exceed max_failures ${rollout.maxFailures}`;
    const error = storedFailure({ code: 'CANCELLED', message, retryable: false });
    step.updates.push(
      ...(await transitionRuns(db, queued, 'cancel', { error, finished_at: new Date().toISOString() })),
    );
    return step;
  }
  let active = job.active_batch;
  const lastBatch = Math.max(...runs.map((r) => r.batch));
  const settled = (batch: number) =>
    runs.filter((r) => r.batch <= batch).every((r) => TERMINAL_STATES.has(r.state as RunState));
  while (active < lastBatch && settled(active)) active++;
  if (active === job.active_batch) return step;
  // Guarded on the old value: two concurrent advances open a batch once.
  const moved = await db
    .updateTable('jobs')
    .set({ active_batch: active })
    .where('id', '=', jobId)
    .where('active_batch', '=', job.active_batch)
    .executeTakeFirst();
  if (moved.numUpdatedRows === 0n) return step;
  await refreshJobState(db, jobId);
  step.opened = { tenantId: job.tenant_id, projectId: job.project_id, activeBatch: active };
  step.agentIds = [
    ...new Set(runs.filter((r) => r.batch > job.active_batch && r.batch <= active).map((r) => r.agent_id)),
  ];
  return step;
}
