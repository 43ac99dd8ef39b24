import type { Command } from 'commander';
import { JobStateSchema, type LogLine } from '@flotilla/protocol';
import type { FlotillaClient } from '@flotilla/client';
import { CliError } from '../../cli-error.js';
import { connectClient, type ClientFlags } from '../../config/client-config.js';
import { withClientOptions } from '../../config/client-options.js';
import { printJob, printJobList } from './job-view.js';
import { printLogLine } from './submit.js';

interface ListFlags extends ClientFlags {
  state?: string;
  limit: string;
  json?: boolean;
}

/** `jobs list`, `jobs get`, `jobs logs`. */
export function registerInspect(jobs: Command): void {
  withClientOptions(jobs.command('list').description('list recent jobs, newest first'))
    .option('--state <state>', 'only jobs in this state (queued, running, succeeded, failed, …)')
    .option('--limit <n>', 'at most this many jobs', '50')
    .option('--json', 'machine-readable output')
    .action(async (opts: ListFlags) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new CliError(`--limit must be 1–1000, got "${opts.limit}"`, 2);
      const state = opts.state === undefined ? undefined : JobStateSchema.safeParse(opts.state);
      if (state !== undefined && !state.success) {
        throw new CliError(`--state must be one of ${JobStateSchema.options.join(', ')}; got "${opts.state}"`, 2);
      }
      const client = await connectClient(opts);
      const page = await client.api.jobs.list({
        query: { limit, ...(state === undefined ? {} : { state: state.data }) },
      });
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
