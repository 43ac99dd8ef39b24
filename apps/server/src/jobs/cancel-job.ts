import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { nowIso } from '../store/time.js';
import type { JobUpdate } from './job-events.js';
import { storedFailure } from './run-failure.js';
import { transitionRuns } from './run-repo.js';

/** What cancelling a job did: runs cancelled at once, and runs whose agent must be told. */
export interface CancelOutcome {
  updates: JobUpdate[];
  /** Runs on an agent (dispatched, running, or unknown): `job.cancel` goes out now or on reconnect. */
  toAgents: { runId: string; agentId: string }[];
}

/**
 * Cancels a job (SPEC §6): queued runs end `cancelled` now; runs on an agent are marked
 * `cancel_requested` and the agent is asked to stop them (it reports `cancelled` once `finally`
 * ran). Final runs are untouched. Idempotent: a second call only repeats the requests to agents.
 */
export async function cancelJob(db: Kysely<Database>, jobId: string): Promise<CancelOutcome> {
  return db.transaction().execute(async (trx) => {
    const runs = await trx
      .selectFrom('runs')
      .select(['id', 'agent_id', 'state'])
      .where('job_id', '=', jobId)
      .where('state', 'in', ['queued', 'dispatched', 'running', 'unknown'])
      .execute();
    const queued = runs.filter((r) => r.state === 'queued');
    const error = storedFailure({ code: 'CANCELLED', message: 'cancelled before it started', retryable: false });
    const updates = await transitionRuns(trx, queued, 'cancelled', { error, finished_at: nowIso() });
    const onAgents = runs.filter((r) => r.state !== 'queued');
    if (onAgents.length > 0) {
      await trx.updateTable('runs').set({ cancel_requested: 1 }).where('id', 'in', onAgents.map((r) => r.id)).execute();
    }
    return { updates, toAgents: onAgents.map((r) => ({ runId: r.id, agentId: r.agent_id })) };
  });
}
