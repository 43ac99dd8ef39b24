import type { Kysely } from 'kysely';
import { JobTargetSchema } from '@flotilla/protocol';
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

/** A new job with the same workflow, target and inputs; `failed` resumes after succeeded steps. */
export async function rerunSubmission(
  db: Kysely<Database>,
  source: JobSource,
  options: { from: 'start' | 'failed'; createdBy: string | null },
): Promise<Omit<JobSubmission, 'audit'>> {
  return {
    workflowText: source.workflowText,
    // the versions the job called, whatever was saved since
    calledWorkflows: source.calledWorkflows,
    // Stored after parsing at submission; parsing again restores defaults (mode, stop_on_failure).
    target: JobTargetSchema.parse(source.target),
    inputs: source.inputs,
    expiresInMs: source.expiresInMs,
    createdBy: options.createdBy,
    rerunOf: source.id,
    completedSteps: options.from === 'failed' ? await completedStepsByAgent(db, source.id) : undefined,
  };
}
