import type { Command } from 'commander';
import { allPages } from '@flotilla/client';
import { AgentSortSchema, AgentStatusSchema, parseLabelSelector } from '@flotilla/protocol';
import type { AgentListQuery } from '@flotilla/protocol';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { registerAgentTrustCommands } from './agent-trust.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable, timeAgo } from '../output/table.js';

interface ListFlags extends ClientFlags {
  selector?: string[];
  status?: string[];
  search?: string;
  sort?: string;
  json?: boolean;
}

/** Commander collector for a repeatable flag. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The filters of `agents list` as `GET /agents` takes them, checked here so a typo exits 2 before any request. */
export function agentListQuery(flags: Omit<ListFlags, keyof ClientFlags | 'json'>): Omit<AgentListQuery, 'limit'> {
  const query: Omit<AgentListQuery, 'limit'> = {};
  if (flags.selector !== undefined) {
    const text = flags.selector.join(',');
    const parsed = parseLabelSelector(text);
    if (!parsed.ok)
      throw new CliError(`--selector: ${parsed.message} (at character ${parsed.position + 1} of "${text}")`, 2);
    query.selector = text;
  }
  if (flags.status !== undefined) {
    const statuses = flags.status.flatMap((s) => s.split(',')).map((s) => s.trim());
    const bad = statuses.filter((s) => !AgentStatusSchema.safeParse(s).success);
    if (bad.length > 0)
      throw new CliError(`--status must be among ${AgentStatusSchema.options.join(', ')}; got "${bad.join(', ')}"`, 2);
    query.status = statuses.join(',');
  }
  if (flags.search !== undefined) query.q = flags.search;
  if (flags.sort !== undefined) {
    const sort = AgentSortSchema.safeParse(flags.sort);
    if (!sort.success) throw new CliError(`--sort must be name or lastSeen, got "${flags.sort}"`, 2);
    query.sort = sort.data;
  }
  return query;
}

function registerList(agents: Command): void {
  withClientOptions(agents.command('list').description('list agents with status, labels and version'))
    .option('--selector <key=value,…>', 'only agents carrying these labels (repeatable: all must match)', collect)
    .option('--status <status,…>', 'only agents in these states: online, offline, pending, revoked, disabled', collect)
    .option('--search <text>', 'only agents whose name, hostname, id or a label contains this text')
    .option('--sort <order>', 'name (default) or lastSeen (most recently seen first)')
    .option('--json', 'machine-readable output')
    .action(async (opts: ListFlags) => {
      const filters = agentListQuery(opts);
      const client = await connectClient(opts);
      const items = await allPages((page) => client.api.agents.list({ query: { ...filters, ...page } }));
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
}

export const agentsCommand: CliCommand = {
  register(program) {
    const agents = program.command('agents').description('inspect and manage enrolled agents');
    registerAgentTrustCommands(agents);
    registerList(agents);
  },
};
