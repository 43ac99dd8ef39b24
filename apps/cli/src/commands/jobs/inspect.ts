import type { Command } from 'commander';
import { JobStateSchema, ListJobsQuerySchema, type ListJobsQuery, type LogLine } from '@flotilla/protocol';
import type { FlotillaClient } from '@flotilla/client';
import { CliError } from '../../cli-error.js';
import { connectClient, type ClientFlags } from '../../config/client-config.js';
import { withClientOptions } from '../../config/client-options.js';
import { printJob, printJobList } from './job-view.js';
import { printLogLine } from './submit.js';

interface ListFlags extends ClientFlags {
  state?: string;
  workflow?: string;
  agent?: string;
  createdBy?: string;
  from?: string;
  to?: string;
  limit: string;
  json?: boolean;
}

/** `--from`/`--to`: an RFC 3339 time, or a date (`2026-01-31`: midnight UTC). */
function timeFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
}

const FLAG_OF: Record<string, string> = { createdBy: '--created-by' };

/** The filters of `jobs list` as `GET /jobs` takes them, checked with its own schema: bad flags exit 2 before any request. */
function jobListQuery(opts: ListFlags): Omit<ListJobsQuery, 'limit' | 'cursor'> {
  const query = {
    ...(opts.state === undefined ? {} : { state: opts.state }),
    ...(opts.workflow === undefined ? {} : { workflow: opts.workflow }),
    ...(opts.agent === undefined ? {} : { agent: opts.agent }),
    ...(opts.createdBy === undefined ? {} : { createdBy: opts.createdBy }),
    ...(opts.from === undefined ? {} : { from: timeFlag(opts.from) }),
    ...(opts.to === undefined ? {} : { to: timeFlag(opts.to) }),
  };
  const parsed = ListJobsQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? '');
    const hint =
      field === 'state'
        ? `one or several of ${JobStateSchema.options.join(', ')}`
        : field === 'from' || field === 'to'
          ? 'an RFC 3339 time such as 2026-01-31T09:00:00Z, or a date'
          : (issue?.message ?? 'invalid');
    throw new CliError(
      `${FLAG_OF[field] ?? `--${field}`} must be ${hint}; got "${String(query[field as keyof typeof query])}"`,
      2,
    );
  }
  return query;
}

/** `jobs list`, `jobs get`, `jobs logs`. */
export function registerInspect(jobs: Command): void {
  withClientOptions(jobs.command('list').description('list recent jobs, newest first'))
    .option('--state <state,…>', 'only jobs in these states (queued, running, succeeded, failed, …)')
    .option('--workflow <name>', 'only jobs of this workflow')
    .option('--agent <name-or-id>', 'only jobs with a run on this agent')
    .option('--created-by <username>', 'only jobs this user submitted')
    .option('--from <time>', 'only jobs created at or after this time (RFC 3339, or a date)')
    .option('--to <time>', 'only jobs created before this time (RFC 3339, or a date)')
    .option('--limit <n>', 'at most this many jobs', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: ListFlags) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError(`--limit must be 1–1000, got "${opts.limit}"`, 2);
      const filters = jobListQuery(opts);
      const client = await connectClient(opts);
      const page = await client.api.jobs.list({ query: { limit, ...filters } });
      if (opts.json === true) console.log(JSON.stringify(page.items, null, 2));
      else printJobList(page.items);
    });

  withClientOptions(jobs.command('get').description('show a job and its runs').argument('<id>'))
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: ClientFlags & { json?: boolean }) => {
      const client = await connectClient(opts);
      const job = await client.api.jobs.get({ params: { id } });
      if (opts.json === true) console.log(JSON.stringify(job, null, 2));
      else printJob(job);
    });

  withClientOptions(jobs.command('logs').description('print the log lines of a job').argument('<id>'))
    .option('-f, --follow', 'keep streaming until the job ends')
    .option('--json', 'one JSON object per line (with the agent name)')
    .action(async (id: string, opts: ClientFlags & { follow?: boolean; json?: boolean }) => {
      const client = await connectClient(opts);
      const job = await client.api.jobs.get({ params: { id } });
      const agents = new Map(job.runs.map((r) => [r.id, r.agent]));
      const print = (line: LogLine): void => printLogLine(line, agents, opts.json === true);
      if (opts.follow === true) await client.followJob(id, { onLog: print });
      else await printStoredLogs(client, id, print);
    });
}

async function printStoredLogs(client: FlotillaClient, id: string, print: (line: LogLine) => void): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await client.api.logs.list({ params: { id }, query: { after, limit: 1000 } });
    for (const line of page.items) print(line);
    if (page.nextCursor === null) return;
    const next = Number(page.nextCursor);
    // The cursor is the last sequence number; anything else would loop forever.
    if (!Number.isInteger(next) || next <= after) return;
    after = next;
  }
}
