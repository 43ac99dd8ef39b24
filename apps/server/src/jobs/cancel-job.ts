import { FlotillaError } from '@flotilla/protocol';
import type { Job } from '@flotilla/protocol';
import { appendAuditEvent } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/audit-log.js';
import type { ServerContext } from '../server-context.js';
import type { WriteTransaction } from '../store/group-commit.js';
import type { Scope } from '../store/scope.js';
import type { Store } from '../store/store.js';
import { nowIso } from '../store/time.js';
import type { JobUpdate } from './job-events.js';
import { getJob } from './job-repo.js';
import { storedFailure } from './run-failure.js';
import { transitionRuns } from './run-repo.js';

/** What cancelling a job did: runs cancelled at once, and runs whose agent must be told. */
export interface CancelOutcome {
  updates: JobUpdate[];
  /** Runs on an agent (dispatched, running, or unknown): `job.cancel` goes out now or on reconnect. */
  toAgents: { runId: string; agentId: string }[];
}

/**
 * The store side of a cancel (SPEC §6): queued runs end `cancelled` now; runs on an agent are
 * marked `cancel_requested` (the agent reports `cancelled` once `finally` ran). Final runs are
 * untouched; a second call only repeats the requests to agents.
 */
async function markCancelled(trx: WriteTransaction, jobId: string): Promise<CancelOutcome> {
  const runs = await trx
    .selectFrom('runs')
    .select(['id', 'agent_id', 'state'])
    .where('job_id', '=', jobId)
    .where('state', 'in', ['queued', 'dispatched', 'running', 'unknown'])
    .execute();
  const queued = runs.filter((r) => r.state === 'queued');
  const error = storedFailure({ code: 'CANCELLED', message: 'cancelled before it started', retryable: false });
  const updates = await transitionRuns(trx, queued, 'cancel', { error, finished_at: nowIso() });
  const onAgents = runs.filter((r) => r.state !== 'queued');
  if (onAgents.length > 0) {
    await trx
      .updateTable('runs')
      .set({ cancel_requested: 1 })
      .where(
        'id',
        'in',
        onAgents.map((r) => r.id),
      )
      .execute();
  }
  return { updates, toAgents: onAgents.map((r) => ({ runId: r.id, agentId: r.agent_id })) };
}

/** Marks a job cancelled and appends its audit record in ONE write unit: both commit, or neither. */
export function recordCancel(
  store: Pick<Store, 'write' | 'dialect'>,
  jobId: string,
  audit: (outcome: CancelOutcome) => AuditEntry,
): Promise<CancelOutcome> {
  return store.write(async (trx) => {
    const outcome = await markCancelled(trx, jobId);
    await appendAuditEvent(trx, store.dialect, audit(outcome));
    return outcome;
  });
}

/**
 * Cancels a job of the scope (`JOB_NOT_FOUND` otherwise): the runs' changes and the audit record
 * commit in one transaction (no cancel without its record, as with `job.create`), then the
 * changes are announced and the agents holding runs are asked to stop them. Returns the job as
 * it is after the cancel.
 */
export async function cancelJob(
  ctx: ServerContext,
  scope: Scope,
  options: { jobId: string; audit: (outcome: CancelOutcome) => AuditEntry },
): Promise<{ job: Job; outcome: CancelOutcome }> {
  const { jobId } = options;
  if ((await getJob(ctx.store.db, scope, jobId)) === undefined)
    throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${jobId}` });
  const outcome = await recordCancel(ctx.store, jobId, options.audit);
  ctx.dispatcher.announce(outcome.updates, []);
  await ctx.dispatcher.cancel(outcome.toAgents);
  const job = await getJob(ctx.store.db, scope, jobId);
  // Deleted between the cancel and this read: gone, as far as the caller can tell.
  if (job === undefined) throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${jobId}` });
  return { job, outcome };
}
