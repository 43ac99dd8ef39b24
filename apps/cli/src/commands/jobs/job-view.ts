import type { Job } from '@flotilla/protocol';
import { formatCounts, formatDuration, formatFailure, runDurationMs } from '../../output/job-format.js';
import { renderTable, timeAgo } from '../../output/table.js';

/** Job header and one row per run, for `jobs get` and `jobs submit --wait`. */
export function printJob(job: Job): void {
  console.log(`job       ${job.id}`);
  console.log(`workflow  ${job.workflowName}`);
  console.log(`state     ${job.state}`);
  console.log(`created   ${job.createdAt} (${timeAgo(job.createdAt)})`);
  if (job.expiresAt !== undefined && job.expiresAt !== null) console.log(`expires   ${job.expiresAt}`);
  console.log(`runs      ${formatCounts(job)}`);
  console.log('');
  const runs = [...job.runs].sort((a, b) => a.agent.localeCompare(b.agent));
  const rows = runs.map((r) => {
    const ms = runDurationMs(r);
    return [
      r.agent,
      r.state,
      r.exitCode === null ? '-' : String(r.exitCode),
      ms === undefined ? '-' : formatDuration(ms),
      r.id,
      r.error === null ? '' : formatFailure(r.error),
    ];
  });
  console.log(renderTable(['AGENT', 'STATE', 'EXIT', 'DURATION', 'RUN', 'ERROR'], rows));
}

/** One row per job, for `jobs list`. */
export function printJobList(jobs: readonly Job[]): void {
  const rows = jobs.map((j) => [j.id, j.workflowName, j.state, formatCounts(j), timeAgo(j.createdAt)]);
  console.log(renderTable(['ID', 'WORKFLOW', 'STATE', 'RUNS', 'CREATED'], rows));
}
