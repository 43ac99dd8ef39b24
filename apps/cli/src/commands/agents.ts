import { allPages } from '@flotilla/client';
import type { CliCommand } from '../command-registry.js';
import { registerAgentTrustCommands } from './agent-trust.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable, timeAgo } from '../output/table.js';

export const agentsCommand: CliCommand = {
  register(program) {
    const agents = program.command('agents').description('inspect and manage enrolled agents');
    registerAgentTrustCommands(agents);
    withClientOptions(agents.command('list').description('list agents with status, labels and version'))
      .option('--json', 'machine-readable output')
      .action(async (opts: ClientFlags & { json?: boolean }) => {
        const client = await connectClient(opts);
        const items = await allPages((query) => client.api.agents.list({ query }));
        if (opts.json === true) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        const rows = items.map((a) => [
          a.name,
          a.status,
          a.version ?? '-',
          Object.entries(a.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '-',
          timeAgo(a.lastSeenAt),
          a.id,
        ]);
        console.log(renderTable(['NAME', 'STATUS', 'VERSION', 'LABELS', 'LAST SEEN', 'ID'], rows));
      });
  },
};
