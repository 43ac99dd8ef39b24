import { TERMINAL_STATES, type Failure, type Job, type Run } from '@flotilla/protocol';

/** A run's or step's failure for people: `[STEP_FAILED] deploy: exit code 3` (the step when known). */
export function formatFailure(failure: Failure): string {
  return `[${failure.code}] ${failure.step === undefined ? '' : `${failure.step}: `}${failure.message}`;
}

/** `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** Wall time of a run from start to finish (or to now while it runs); undefined before it starts. */
export function runDurationMs(run: Run, now = Date.now()): number | undefined {
  if (run.startedAt === null) return undefined;
  const end = run.finishedAt === null ? now : Date.parse(run.finishedAt);
  return Math.max(0, end - Date.parse(run.startedAt));
}

/** Runs per state, from the server's `counts` or computed from the runs. */
export function runCounts(job: Job): Partial<Record<Run['state'], number>> {
  if (job.counts !== undefined) return job.counts;
  const counts: Partial<Record<Run['state'], number>> = {};
  for (const run of job.runs) counts[run.state] = (counts[run.state] ?? 0) + 1;
  return counts;
}

/** Total number of runs (from `counts` when the list of runs is abbreviated). */
export function runTotal(job: Job): number {
  const counts = Object.values(runCounts(job)).reduce((sum, n) => sum + n, 0);
  return Math.max(counts, job.runs.length);
}

/** How many runs reached a terminal state. */
export function runsDone(job: Job): number {
  return Object.entries(runCounts(job))
    .filter(([state]) => TERMINAL_STATES.has(state as Run['state']))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** `48 succeeded, 2 failed` — the RUNS column of `jobs list`. */
export function formatCounts(job: Job): string {
  const parts = Object.entries(runCounts(job))
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state}`);
  return parts.join(', ') || '-';
}

/** `12/50 done…` for the progress line. */
export function progressText(job: Job): string {
  return `${job.id}: ${runsDone(job)}/${runTotal(job)} done…`;
}
