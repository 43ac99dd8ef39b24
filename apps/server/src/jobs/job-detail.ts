import type { Kysely } from 'kysely';
import { JobTargetSchema, TERMINAL_STATES } from '@flotilla/protocol';
import type { Job, JobDetail, RolloutProgress, RunStep, RunStepState, WorkflowStep } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import type { DocumentChecker } from '../workflows/document-checker.js';
import { FAILURE_STATES } from './job-state.js';
import type { CompiledRollout } from './job-target.js';
import { failureOfColumn } from './run-failure.js';

/** Step graphs kept per job: a job's document never changes, and re-reading it costs a validation. */
const GRAPH_CACHE_SIZE = 256;
/** Runs per `IN (…)` list: well under SQLite's and PostgreSQL's parameter limits. */
const IN_LIST = 500;

/** What the job detail reads from: the store, the server's document checker, and a cache of step graphs. */
export interface JobDetailSource {
  db: Kysely<Database>;
  documents: Pick<DocumentChecker, 'check'>;
  graphs: StepGraphCache;
}

/**
 * The step graph of each job's workflow, computed once per job by the server's own validation
 * (the same compile as the agent: implicit `needs` made explicit) and kept for the most recent
 * jobs. A document that no longer validates (stricter rules since it was submitted) has none.
 */
export class StepGraphCache {
  readonly #graphs = new Map<string, WorkflowStep[]>();

  async of(documents: JobDetailSource['documents'], jobId: string, text: string): Promise<WorkflowStep[]> {
    const cached = this.#graphs.get(jobId);
    if (cached !== undefined) return cached;
    const verdict = await documents.check(text);
    const graph = verdict.ok ? verdict.steps : [];
    this.#graphs.set(jobId, graph);
    // Oldest first in a Map: drop the oldest entry past the size.
    if (this.#graphs.size > GRAPH_CACHE_SIZE) this.#graphs.delete(this.#graphs.keys().next().value as string);
    return graph;
  }
}

/** Steps of these runs, per run, in the order they started. */
async function stepsOfRuns(db: Kysely<Database>, runIds: readonly string[]): Promise<Map<string, RunStep[]>> {
  const byRun = new Map<string, RunStep[]>();
  for (let i = 0; i < runIds.length; i += IN_LIST) {
    const rows = await db
      .selectFrom('run_steps')
      .selectAll()
      .where('run_id', 'in', runIds.slice(i, i + IN_LIST))
      .execute();
    for (const row of rows) {
      const list = byRun.get(row.run_id) ?? [];
      list.push({
        step: row.step,
        status: row.status as RunStepState,
        attempt: row.attempt,
        exitCode: row.exit_code,
        error: failureOfColumn(row.error),
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        outputs: row.outputs === null ? null : (JSON.parse(row.outputs) as Record<string, unknown>),
      });
      byRun.set(row.run_id, list);
    }
  }
  // A step reported only as finished (its start was not journaled) has no start: by its end then.
  const at = (s: RunStep) => s.startedAt ?? s.finishedAt ?? '';
  for (const list of byRun.values()) list.sort((a, b) => at(a).localeCompare(at(b)) || a.step.localeCompare(b.step));
  return byRun;
}

/**
 * A job in full, for `GET /jobs/:id` and the `state`/`end` events of its log stream: `job` (as
 * the list shows it, already scope-checked) with its inputs, target, step graph, each run's batch
 * and steps, and where its rollout stands.
 */
export async function jobDetail(source: JobDetailSource, job: Job): Promise<JobDetail | undefined> {
  const { db } = source;
  const row = await db
    .selectFrom('jobs')
    .select(['workflow_text', 'inputs', 'target', 'rollout', 'active_batch', 'state', 'updated_at'])
    .where('id', '=', job.id)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const runIds = job.runs.map((r) => r.id);
  const batches = new Map<string, number>();
  for (let i = 0; i < runIds.length; i += IN_LIST) {
    const rows = await db
      .selectFrom('runs')
      .select(['id', 'batch'])
      .where('id', 'in', runIds.slice(i, i + IN_LIST))
      .execute();
    for (const r of rows) batches.set(r.id, r.batch);
  }
  const [steps, graph] = await Promise.all([
    stepsOfRuns(db, runIds),
    source.graphs.of(source.documents, job.id, row.workflow_text),
  ]);
  const runs = job.runs.map((run) => ({ ...run, batch: batches.get(run.id) ?? 0, steps: steps.get(run.id) ?? [] }));
  let rollout: RolloutProgress | null = null;
  if (row.rollout !== null) {
    const compiled = JSON.parse(row.rollout) as CompiledRollout;
    rollout = {
      batchSize: compiled.batchSize,
      batches: runs.length === 0 ? 0 : Math.max(...runs.map((r) => r.batch)) + 1,
      activeBatch: row.active_batch,
      maxFailures: compiled.maxFailures,
      failures: runs.filter((r) => (FAILURE_STATES as readonly string[]).includes(r.state)).length,
    };
  }
  return {
    ...job,
    runs,
    inputs: JSON.parse(row.inputs) as Record<string, unknown>,
    // Stored as parsed at submission; parsing again restores the defaults (mode, stop_on_failure).
    target: JobTargetSchema.parse(JSON.parse(row.target)),
    steps: graph,
    rollout,
    finishedAt: TERMINAL_STATES.has(job.state) ? row.updated_at : null,
  };
}
