import type { Command } from 'commander';
import { CliError } from '../../cli-error.js';
import { connectClient, type ClientFlags } from '../../config/client-config.js';
import { withClientOptions } from '../../config/client-options.js';
import { formatCounts } from '../../output/job-format.js';

/** `jobs cancel`, `jobs rerun`. */
export function registerControl(jobs: Command): void {
  withClientOptions(
    jobs.command('cancel').description('cancel a job: queued runs end now, running steps are stopped').argument('<id>'),
  )
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: ClientFlags & { json?: boolean }) => {
      const client = await connectClient(opts);
      const job = await client.api.jobs.cancel({ params: { id } });
      if (opts.json === true) console.log(JSON.stringify(job, null, 2));
      else console.error(`cancelling ${job.id}: ${job.state} (${formatCounts(job)})`);
    });

  withClientOptions(
    jobs.command('rerun').description('submit a job again as a new job; prints the new id').argument('<id>'),
  )
    .option(
      '--from <where>',
      'start (everything again) or failed (resume the failed runs from their failed step)',
      'start',
    )
    .option('--failed-agents', 'only on the agents whose run did not succeed (the others are left alone)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: ClientFlags & { from: string; failedAgents?: boolean; json?: boolean }) => {
      if (opts.from !== 'start' && opts.from !== 'failed')
        throw new CliError(`--from must be start or failed, got "${opts.from}"`, 2);
      const client = await connectClient(opts);
      const agents = opts.failedAgents === true ? 'failed' : 'all';
      const job = await client.api.jobs.rerun({ params: { id }, body: { from: opts.from, agents } });
      if (opts.json === true) console.log(JSON.stringify(job, null, 2));
      else console.log(job.id);
    });
}
