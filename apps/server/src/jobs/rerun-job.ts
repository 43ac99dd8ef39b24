import type { Kysely } from 'kysely';
import { FlotillaError, JobTargetSchema, TERMINAL_STATES } from '@flotilla/protocol';
import type { JobTarget } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import type { JobSource } from './job-repo.js';
import type { JobSubmission } from './submit-job.js';

type CompletedSteps = Record<string, { status: string; outputs: Record<string, unknown> }>;

/**
 * Resume data of a job: per agent, the steps that succeeded in its (latest) run of that job, with
 * their outputs. A new run on that agent takes them as done and continues after them.
 */
export async function completedStepsByAgent(db: Kysely<Database>, jobId: string): Promise<Map<string, CompletedSteps>> {
  const rows = await db
    .selectFrom('run_steps')
    .innerJoin('runs', 'runs.id', 'run_steps.run_id')
    .select(['runs.agent_id', 'runs.id as run_id', 'runs.created_at', 'run_steps.step', 'run_steps.outputs'])
    .where('runs.job_id', '=', jobId)
    .where('run_steps.status', '=', 'succeeded')
    .orderBy('runs.created_at')
    .orderBy('runs.id')
    .execute();
  const latestRun = new Map<string, string>();
  for (const row of rows) latestRun.set(row.agent_id, row.run_id);
  const byAgent = new Map<string, CompletedSteps>();
  for (const row of rows) {
    if (latestRun.get(row.agent_id) !== row.run_id) continue;
    const steps = byAgent.get(row.agent_id) ?? {};
    steps[row.step] = {
      status: 'succeeded',
      outputs: row.outputs === null ? {} : (JSON.parse(row.outputs) as Record<string, unknown>),
    };
    byAgent.set(row.agent_id, steps);
  }
  return byAgent;
}

/** Run states that ended without success: their agents are what `agents: failed` re-runs. */
const UNSUCCESSFUL_STATES = [...TERMINAL_STATES].filter((state) => state !== 'succeeded');

/**
 * The target of a re-run on the failed agents only: exactly the agents whose run of the job ended
 * without succeeding (runs still going are left out: they may yet succeed), with the job's
 * rollout. `NO_FAILED_AGENTS` when there is none.
 */
async function failedAgentsTarget(db: Kysely<Database>, jobId: string, original: JobTarget): Promise<JobTarget> {
  const rows = await db
    .selectFrom('runs')
    .select('agent_id')
    .distinct()
    .where('job_id', '=', jobId)
    .where('state', 'in', UNSUCCESSFUL_STATES)
    .orderBy('agent_id')
    .execute();
  if (rows.length === 0)
    throw new FlotillaError('NO_FAILED_AGENTS', { detail: `No run of job ${jobId} ended without succeeding` });
  const rollout = 'agent' in original ? undefined : original.rollout;
  return { agents: rows.map((r) => r.agent_id), ...(rollout === undefined ? {} : { rollout }) };
}

/**
 * A new job with the same workflow and inputs: on the same target (`agents: all`) or on the
 * agents whose run failed (`agents: failed`); `from: failed` resumes after succeeded steps.
 */
export async function rerunSubmission(
  db: Kysely<Database>,
  source: JobSource,
  options: { from: 'start' | 'failed'; agents: 'all' | 'failed'; createdBy: string | null },
): Promise<Omit<JobSubmission, 'audit'>> {
  // Stored after parsing at submission; parsing again restores defaults (mode, stop_on_failure).
  const original = JobTargetSchema.parse(source.target);
  return {
    workflowText: source.workflowText,
    // the versions the job called, whatever was saved since
    calledWorkflows: source.calledWorkflows,
    target: options.agents === 'failed' ? await failedAgentsTarget(db, source.id, original) : original,
    inputs: source.inputs,
    expiresInMs: source.expiresInMs,
    createdBy: options.createdBy,
    rerunOf: source.id,
    completedSteps: options.from === 'failed' ? await completedStepsByAgent(db, source.id) : undefined,
  };
}
