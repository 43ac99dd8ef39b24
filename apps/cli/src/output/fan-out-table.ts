import type { Job, Run } from '@flotilla/protocol';
import { formatDuration, formatFailure, runDurationMs } from './job-format.js';
import { renderTable } from './table.js';

/** One agent's result of a fan-out `exec` (also the `--json` shape). */
export interface FanOutRow {
  agent: string;
  state: Run['state'];
  exitCode: number | null;
  durationMs: number | null;
  /** First stdout line (else first stderr line, else the run's error). */
  output: string;
}

/** First log lines seen per run id. */
export type FirstLines = ReadonlyMap<string, { stdout?: string; stderr?: string; system?: string }>;

/** Rows sorted by agent name. */
export function fanOutRows(job: Job, firstLines: FirstLines): FanOutRow[] {
  return job.runs
    .map((run) => {
      const lines = firstLines.get(run.id);
      return {
        agent: run.agent,
        state: run.state,
        exitCode: run.exitCode,
        durationMs: runDurationMs(run) ?? null,
        output: lines?.stdout ?? lines?.stderr ?? (run.error === null ? '' : formatFailure(run.error)),
      };
    })
    .sort((a, b) => a.agent.localeCompare(b.agent));
}

/** AGENT, EXIT, DURATION, OUTPUT; EXIT shows the state when there is no exit code (e.g. `expired`). */
export function printFanOutRows(rows: readonly FanOutRow[]): void {
  const table = rows.map((r) => [
    r.agent,
    r.exitCode === null ? r.state : String(r.exitCode),
    r.durationMs === null ? '-' : formatDuration(r.durationMs),
    r.output,
  ]);
  console.log(renderTable(['AGENT', 'EXIT', 'DURATION', 'OUTPUT'], table));
  const failed = rows.filter((r) => r.state !== 'succeeded').length;
  console.error(`${rows.length - failed}/${rows.length} succeeded`);
}
