import type { Kysely, Selectable } from 'kysely';
import type { CalledWorkflow, Job, Page, Run, RunState } from '@flotilla/protocol';
import { encodeCursor, newestFirst } from '../store/cursor.js';
import type { StoreWriter, WriteTransaction } from '../store/group-commit.js';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database, JobTable } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { countStates } from './job-state.js';
import { failureOfColumn } from './run-failure.js';
import type { CompiledRollout } from './job-target.js';
import type { StoredWorkflowVersion } from './stored-workflow-version.js';

/** One run of a new job. */
export interface NewRun {
  agentId: string;
  /** Rollout batch; only batch 0 may be dispatched at first. */
  batch: number;
  /** Resume data (`JobPayload.completedSteps`). */
  completedSteps?: Record<string, { status: string; outputs: Record<string, unknown> }> | undefined;
}

/** A job accepted by the API, with the runs it fans out to. */
export interface NewJob {
  workflowName: string;
  workflowText: string;
  /** The saved workflow version the document is, if it is one. */
  storedVersion?: StoredWorkflowVersion | undefined;
  /** Secret names the workflow and the workflows it calls declare. */
  secretNames: readonly string[];
  /** The workflow versions it calls, resolved at submit. @default none */
  calledWorkflows?: readonly CalledWorkflow[] | undefined;
  inputs: Record<string, unknown>;
  target: unknown;
  runs: NewRun[];
  rollout: CompiledRollout | null;
  expiresAt: string | null;
  createdBy: string | null;
  rerunOf?: string | undefined;
}

/**
 * Persists a job and all its runs in one transaction (the job exists before the API answers).
 * `alsoWrite` adds its writes to that transaction (the job's audit record: no job without one).
 */
export async function createJob(
  store: StoreWriter,
  scope: Scope,
  job: NewJob,
  alsoWrite?: (trx: WriteTransaction, jobId: string) => Promise<unknown>,
): Promise<{ jobId: string; runIds: string[] }> {
  const jobId = newId('job');
  const now = nowIso();
  const runs = job.runs.map((run) => ({
    id: newId('run'),
    job_id: jobId,
    tenant_id: scope.tenantId,
    project_id: scope.projectId,
    agent_id: run.agentId,
    state: 'queued',
    exit_code: null,
    error: null,
    created_at: now,
    dispatched_at: null,
    started_at: null,
    finished_at: null,
    batch: run.batch,
    completed_steps: run.completedSteps === undefined ? null : JSON.stringify(run.completedSteps),
  }));
  await store.write(async (trx) => {
    await trx
      .insertInto('jobs')
      .values({
        id: jobId,
        tenant_id: scope.tenantId,
        project_id: scope.projectId,
        workflow_name: job.workflowName,
        workflow_text: job.workflowText,
        workflow_id: job.storedVersion?.workflowId ?? null,
        workflow_version: job.storedVersion?.version ?? null,
        secret_names: JSON.stringify(job.secretNames),
        called_workflows:
          job.calledWorkflows === undefined || job.calledWorkflows.length === 0
            ? null
            : JSON.stringify(job.calledWorkflows),
        inputs: JSON.stringify(job.inputs),
        target: JSON.stringify(job.target),
        state: 'queued',
        created_by: job.createdBy,
        created_at: now,
        updated_at: now,
        expires_at: job.expiresAt,
        rollout: job.rollout === null ? null : JSON.stringify(job.rollout),
        rerun_of: job.rerunOf ?? null,
      })
      .execute();
    // Batched so a fan-out to thousands of agents stays under the engines' parameter limits.
    for (let i = 0; i < runs.length; i += 200)
      await trx
        .insertInto('runs')
        .values(runs.slice(i, i + 200))
        .execute();
    await alsoWrite?.(trx, jobId);
  });
  return { jobId, runIds: runs.map((r) => r.id) };
}

async function runsOfJobs(db: Kysely<Database>, jobIds: string[]): Promise<Map<string, Run[]>> {
  const byJob = new Map<string, Run[]>();
  if (jobIds.length === 0) return byJob;
  const rows = await db
    .selectFrom('runs')
    .innerJoin('agents', 'agents.id', 'runs.agent_id')
    .select([
      'runs.id',
      'runs.job_id',
      'agents.name',
      'runs.agent_id',
      'runs.state',
      'runs.exit_code',
      'runs.error',
      'runs.started_at',
      'runs.finished_at',
    ])
    .where('runs.job_id', 'in', jobIds)
    .orderBy('runs.batch')
    .orderBy('agents.name')
    .orderBy('runs.id')
    .execute();
  for (const row of rows) {
    const list = byJob.get(row.job_id) ?? [];
    list.push({
      id: row.id,
      agent: row.name,
      agentId: row.agent_id,
      state: row.state as RunState,
      exitCode: row.exit_code,
      error: failureOfColumn(row.error),
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    });
    byJob.set(row.job_id, list);
  }
  return byJob;
}

const JOB_COLUMNS = [
  'id',
  'state',
  'workflow_name',
  'workflow_id',
  'workflow_version',
  'created_by',
  'rerun_of',
  'created_at',
  'expires_at',
] as const;
type JobHead = Pick<
  Selectable<JobTable>,
  | 'id'
  | 'state'
  | 'workflow_name'
  | 'workflow_id'
  | 'workflow_version'
  | 'created_by'
  | 'rerun_of'
  | 'created_at'
  | 'expires_at'
>;

/** Usernames by user id (users that are gone are left out). */
async function usernames(db: Kysely<Database>, userIds: (string | null)[]): Promise<Map<string, string>> {
  const ids = [...new Set(userIds.filter((id) => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'username']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.username]));
}

/** The API shape of job rows, with their runs and who submitted them. */
async function toJobs(db: Kysely<Database>, rows: readonly JobHead[]): Promise<Job[]> {
  const [runs, names] = await Promise.all([
    runsOfJobs(
      db,
      rows.map((r) => r.id),
    ),
    usernames(
      db,
      rows.map((r) => r.created_by),
    ),
  ]);
  return rows.map((row) => {
    const jobRuns = runs.get(row.id) ?? [];
    return {
      id: row.id,
      state: row.state as RunState,
      workflowName: row.workflow_name,
      workflowId: row.workflow_id,
      workflowVersion: row.workflow_version,
      createdBy: row.created_by === null ? null : (names.get(row.created_by) ?? null),
      rerunOf: row.rerun_of,
      createdAt: row.created_at,
      runs: jobRuns,
      counts: countStates(jobRuns.map((r) => r.state)),
      expiresAt: row.expires_at,
    };
  });
}

export async function getJob(db: Kysely<Database>, scope: Scope, id: string): Promise<Job | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select(JOB_COLUMNS)
    .where('id', '=', id)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .executeTakeFirst();
  return row === undefined ? undefined : (await toJobs(db, [row]))[0];
}

/** A job without scope check (the hub and live views, after the route checked scope). */
export async function getJobById(db: Kysely<Database>, id: string): Promise<Job | undefined> {
  const row = await db.selectFrom('jobs').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : (await toJobs(db, [row]))[0];
}

/** `GET /jobs` filters, parsed; they combine with AND. */
export interface JobListFilter {
  limit: number;
  cursor?: string | undefined;
  state?: readonly RunState[] | undefined;
  /** The job's workflow name, or the name of the stored workflow it ran. */
  workflow?: string | undefined;
  /** An agent id or name: jobs with a run on it. */
  agent?: string | undefined;
  /** A username. */
  createdBy?: string | undefined;
  /** RFC 3339 UTC: `from <= created_at < to`. */
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * Newest first, cursor-paginated (keyset on `(created_at, id)`), runs included. Every filter is
 * a condition of the one query, so a page reads at most `limit + 1` jobs whatever it matches.
 */
export async function listJobs(db: Kysely<Database>, scope: Scope, filter: JobListFilter): Promise<Page<Job>> {
  let query = db
    .selectFrom('jobs')
    .select(JOB_COLUMNS)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId);
  if (filter.state !== undefined && filter.state.length > 0) query = query.where('state', 'in', [...filter.state]);
  const workflow = filter.workflow;
  if (workflow !== undefined) {
    const stored = db
      .selectFrom('workflows')
      .select('workflows.id')
      .where('workflows.tenant_id', '=', scope.tenantId)
      .where('workflows.project_id', '=', scope.projectId)
      .where('workflows.name', '=', workflow);
    query = query.where((eb) => eb.or([eb('workflow_name', '=', workflow), eb('workflow_id', 'in', stored)]));
  }
  const agent = filter.agent;
  if (agent !== undefined) {
    const agents = db
      .selectFrom('agents')
      .select('agents.id')
      .where('agents.tenant_id', '=', scope.tenantId)
      .where('agents.project_id', '=', scope.projectId)
      .where((eb) => eb.or([eb('agents.id', '=', agent), eb('agents.name', '=', agent)]));
    query = query.where('id', 'in', db.selectFrom('runs').select('runs.job_id').where('runs.agent_id', 'in', agents));
  }
  if (filter.createdBy !== undefined) {
    const users = db.selectFrom('users').select('users.id').where('users.username', '=', filter.createdBy);
    query = query.where('created_by', 'in', users);
  }
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<', filter.to);
  const rows = await newestFirst(query, filter).execute();
  const last = rows.length > filter.limit ? rows[filter.limit - 1] : undefined;
  return {
    items: await toJobs(db, rows.slice(0, filter.limit)),
    nextCursor: last === undefined ? null : encodeCursor({ createdAt: last.created_at, id: last.id }),
  };
}

/** What a re-run copies from a job. */
export interface JobSource {
  id: string;
  workflowName: string;
  workflowText: string;
  calledWorkflows: CalledWorkflow[];
  inputs: Record<string, unknown>;
  target: unknown;
  expiresInMs: number | null;
}

export async function getJobSource(db: Kysely<Database>, scope: Scope, id: string): Promise<JobSource | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select([
      'id',
      'workflow_name',
      'workflow_text',
      'called_workflows',
      'inputs',
      'target',
      'created_at',
      'expires_at',
    ])
    .where('id', '=', id)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    id: row.id,
    workflowName: row.workflow_name,
    workflowText: row.workflow_text,
    calledWorkflows: calledWorkflowsOfColumn(row.called_workflows),
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    target: JSON.parse(row.target) as unknown,
    expiresInMs: row.expires_at === null ? null : Date.parse(row.expires_at) - Date.parse(row.created_at),
  };
}

/** `jobs.called_workflows` as stored at submit (null: the job calls none). */
export function calledWorkflowsOfColumn(column: string | null): CalledWorkflow[] {
  return column === null ? [] : (JSON.parse(column) as CalledWorkflow[]);
}
