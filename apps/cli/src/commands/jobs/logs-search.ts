import type { CliCommand } from '../../command-registry.js';
import { CliError } from '../../cli-error.js';
import { connectClient, type ClientFlags } from '../../config/client-config.js';
import { withClientOptions } from '../../config/client-options.js';
import { renderTable } from '../../output/table.js';

/** `flotilla logs search QUERY`: full-text search over the log lines of every run in the project. */
export const logsCommand: CliCommand = {
  register(program) {
    const logs = program.command('logs').description('search the stored log lines of all runs');
    withClientOptions(
      logs.command('search').description('full-text search (SQLite FTS5 / PostgreSQL full-text)').argument('<query>'),
    )
      .option('--limit <n>', 'at most this many hits', '50')
      .option('--json', 'machine-readable output')
      .action(async (query: string, opts: ClientFlags & { limit: string; json?: boolean }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new CliError(`--limit must be 1–1000, got "${opts.limit}"`, 2);
        const client = await connectClient(opts);
        const page = await client.api.logs.search({ query: { q: query, limit } });
        if (opts.json === true) {
          console.log(JSON.stringify(page.items, null, 2));
          return;
        }
        const rows = page.items.map((h) => [h.ts, h.agent, h.jobId, h.step, h.highlight]);
        console.log(renderTable(['TIME', 'AGENT', 'JOB', 'STEP', 'LINE'], rows));
      });
  },
};
