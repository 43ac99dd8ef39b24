import type { Kysely } from 'kysely';
import type { Job, LogLine, Page, Run, RunState } from '@flotilla/protocol';
import { decodeCursor, toPage } from '../store/cursor.js';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

/** A job accepted by the API, with the one agent its single run targets. */
export interface NewJob {
  workflowName: string;
  workflowText: string;
  inputs: Record<string, unknown>;
  target: unknown;
  agentId: string;
  createdBy: string | null;
}

/** Persists a job and its run in one transaction (the job exists before the API answers). */
export async function createJob(db: Kysely<Database>, scope: Scope, job: NewJob): Promise<{ jobId: string; runId: string }> {
  const jobId = newId('job');
  const runId = newId('run');
  const now = nowIso();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('jobs')
      .values({
        id: jobId,
        tenant_id: scope.tenantId,
        project_id: scope.projectId,
        workflow_name: job.workflowName,
        workflow_text: job.workflowText,
        inputs: JSON.stringify(job.inputs),
        target: JSON.stringify(job.target),
        state: 'queued',
        created_by: job.createdBy,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('runs')
      .values({
        id: runId,
        job_id: jobId,
        tenant_id: scope.tenantId,
        project_id: scope.projectId,
        agent_id: job.agentId,
        state: 'queued',
        exit_code: null,
        error: null,
        error_code: null,
        created_at: now,
        dispatched_at: null,
        started_at: null,
        finished_at: null,
      })
      .execute();
  });
  return { jobId, runId };
}

async function runsOfJobs(db: Kysely<Database>, jobIds: string[]): Promise<Map<string, Run[]>> {
  const byJob = new Map<string, Run[]>();
  if (jobIds.length === 0) return byJob;
  const rows = await db
    .selectFrom('runs')
    .innerJoin('agents', 'agents.id', 'runs.agent_id')
    .select(['runs.id', 'runs.job_id', 'agents.name', 'runs.agent_id', 'runs.state', 'runs.exit_code', 'runs.error', 'runs.started_at', 'runs.finished_at'])
    .where('runs.job_id', 'in', jobIds)
    .orderBy('runs.created_at')
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
      error: row.error,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    });
    byJob.set(row.job_id, list);
  }
  return byJob;
}

export async function getJob(db: Kysely<Database>, scope: Scope, id: string): Promise<Job | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select(['id', 'state', 'workflow_name', 'created_at'])
    .where('id', '=', id)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const runs = await runsOfJobs(db, [row.id]);
  return { id: row.id, state: row.state as RunState, workflowName: row.workflow_name, createdAt: row.created_at, runs: runs.get(row.id) ?? [] };
}

/** Newest first, cursor-paginated, runs included. */
export async function listJobs(db: Kysely<Database>, scope: Scope, page: { limit: number; cursor?: string | undefined }): Promise<Page<Job>> {
  let query = db
    .selectFrom('jobs')
    .select(['id', 'state', 'workflow_name', 'created_at'])
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId);
  if (page.cursor !== undefined) {
    const c = decodeCursor(page.cursor);
    query = query.where((eb) => eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
  const runs = await runsOfJobs(db, rows.slice(0, page.limit).map((r) => r.id));
  return toPage(rows, page.limit, (row) => ({
    id: row.id,
    state: row.state as RunState,
    workflowName: row.workflow_name,
    createdAt: row.created_at,
    runs: runs.get(row.id) ?? [],
  }));
}

/**
 * Log lines of a job after sequence number `after`, in order. The cursor is the last `seq`; the
 * sequence is per run, which is unambiguous while a job has one run.
 */
export async function getJobLogs(
  db: Kysely<Database>,
  jobId: string,
  query: { after: number; limit: number },
): Promise<Page<LogLine>> {
  const rows = await db
    .selectFrom('run_logs')
    .innerJoin('runs', 'runs.id', 'run_logs.run_id')
    .select(['run_logs.run_id', 'run_logs.step', 'run_logs.stream', 'run_logs.line', 'run_logs.ts', 'run_logs.seq'])
    .where('runs.job_id', '=', jobId)
    .where('run_logs.seq', '>', query.after)
    .orderBy('run_logs.seq')
    .orderBy('run_logs.run_id')
    .limit(query.limit + 1)
    .execute();
  const items = rows.slice(0, query.limit).map((r) => ({ runId: r.run_id, step: r.step, stream: r.stream, line: r.line, ts: r.ts, seq: r.seq }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last !== undefined ? String(last.seq) : null };
}
