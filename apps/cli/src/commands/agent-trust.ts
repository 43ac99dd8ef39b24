import type { Command } from 'commander';
import { allPages } from '@flotilla/client';
import type { FlotillaClient } from '@flotilla/client';
import { parseLabelSelector } from '@flotilla/protocol';
import type { Agent } from '@flotilla/protocol';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { collectKeyValue } from '../config/parse-key-value.js';
import { renderTable, timeAgo } from '../output/table.js';

/** Finds an agent by id or by name (names are unique per project). */
async function findAgent(client: FlotillaClient, nameOrId: string): Promise<Agent> {
  let cursor: string | undefined;
  do {
    // `q` narrows to agents whose name or id (among others) contains the text: the exact ones are among them.
    const page = await client.api.agents.list({
      query: { limit: 1000, q: nameOrId, ...(cursor === undefined ? {} : { cursor }) },
    });
    // A pending key-change record shares its name with the trusted agent: prefer the exact id,
    // then the trusted record, then the pending one.
    const matches = page.items.filter((a) => a.id === nameOrId || a.name === nameOrId);
    const found = matches.find((a) => a.id === nameOrId) ?? matches.find((a) => a.status !== 'pending') ?? matches[0];
    if (found !== undefined) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  throw new CliError(`no agent named or with id "${nameOrId}"`);
}

function printAgent(agent: Agent, json: boolean | undefined): void {
  if (json === true) {
    console.log(JSON.stringify(agent, null, 2));
    return;
  }
  const labels =
    Object.entries(agent.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || '-';
  console.log(
    renderTable(
      ['FIELD', 'VALUE'],
      [
        ['id', agent.id],
        ['name', agent.name],
        ['status', agent.status],
        ['labels', labels],
        ['version', agent.version ?? '-'],
        ['host', `${agent.hostname ?? '-'} (${agent.os ?? '?'}/${agent.arch ?? '?'})`],
        ['last seen', timeAgo(agent.lastSeenAt)],
        ['connected', agent.connectedAt === null ? '-' : `${agent.connectedAt} from ${agent.remoteAddress ?? '?'}`],
        ['key', agent.keyFingerprint],
        ...(agent.replacesAgentId ? [['replaces', agent.replacesAgentId]] : []),
      ],
    ),
  );
}

type TrustAction = 'approve' | 'reject' | 'revoke' | 'disable' | 'enable';
const TRUST_ACTIONS: readonly [TrustAction, string][] = [
  ['approve', 'approve a pending agent (or a pending key change)'],
  ['reject', 'reject a pending agent'],
  ['revoke', 'revoke an agent: disconnected within a second, refused afterwards'],
  ['disable', 'disable an agent: disconnected and refused until enabled'],
  ['enable', 'enable a disabled agent'],
];

/** `agents get|approve|reject|revoke|disable|enable|delete|label` (SPEC §9). */
export function registerAgentTrustCommands(agents: Command): void {
  withClientOptions(agents.command('get').description('show one agent').argument('<name-or-id>'))
    .option('--json', 'machine-readable output')
    .action(async (nameOrId: string, opts: ClientFlags & { json?: boolean }) => {
      const client = await connectClient(opts);
      printAgent(await client.api.agents.get({ params: { id: (await findAgent(client, nameOrId)).id } }), opts.json);
    });

  for (const [action, description] of TRUST_ACTIONS) {
    withClientOptions(agents.command(action).description(description).argument('<name-or-id>'))
      .option('--json', 'machine-readable output')
      .action(async (nameOrId: string, opts: ClientFlags & { json?: boolean }) => {
        const client = await connectClient(opts);
        const agent = await client.api.agents[action]({ params: { id: (await findAgent(client, nameOrId)).id } });
        if (opts.json === true) printAgent(agent, true);
        else console.error(`${agent.name} (${agent.id}): ${agent.status}`);
      });
  }

  withClientOptions(
    agents
      .command('delete')
      .description('delete an agent; it needs a new enrolment token to return')
      .argument('<name-or-id>'),
  ).action(async (nameOrId: string, opts: ClientFlags) => {
    const client = await connectClient(opts);
    const agent = await findAgent(client, nameOrId);
    await client.api.agents.delete({ params: { id: agent.id } });
    console.error(`deleted ${agent.name} (${agent.id})`);
  });

  registerLabel(agents);
}

interface LabelFlags extends ClientFlags {
  remove?: string[];
  selector?: string;
  json?: boolean;
}

/** The ids of the agents `label` changes: those named, or those the selector matches. */
async function labelTargets(client: FlotillaClient, names: string[], selector: string | undefined): Promise<string[]> {
  if (selector === undefined) return Promise.all(names.map(async (name) => (await findAgent(client, name)).id));
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) throw new CliError(`--selector: ${parsed.message} (at character ${parsed.position + 1})`, 2);
  const matching = await allPages((page) => client.api.agents.list({ query: { ...page, selector } }));
  if (matching.length === 0) throw new CliError(`no agent matches the selector ${selector}`);
  return matching.map((a) => a.id);
}

/**
 * `agents label AGENT… key=value… [--remove KEY]…`, or `agents label --selector k=v key=value…`:
 * one agent is edited in place (and printed); several, in one transaction per 1000.
 */
function registerLabel(agents: Command): void {
  withClientOptions(
    agents
      .command('label')
      .description('set or remove labels: `agents label web-1 web-2 role=web --remove zone`')
      .argument('[agents-and-labels...]', 'agent names or ids, then key=value pairs to set'),
  )
    .option('--remove <key>', 'remove a label (repeatable)', (key: string, keys: string[] | undefined) => [
      ...(keys ?? []),
      key,
    ])
    .option('--selector <key=value,…>', 'label every agent carrying these labels instead of naming them')
    .option('--json', 'machine-readable output')
    .action(async (args: string[], opts: LabelFlags) => {
      const names = args.filter((arg) => !arg.includes('='));
      const pairs = args.filter((arg) => arg.includes('='));
      if (names.length === 0 && opts.selector === undefined)
        throw new CliError('name the agents to label, or give --selector', 2);
      if (names.length > 0 && opts.selector !== undefined)
        throw new CliError('name the agents or give --selector, not both', 2);
      const set = pairs.reduce<Record<string, string>>((acc, pair) => collectKeyValue(pair, acc), {});
      const remove = opts.remove ?? [];
      if (Object.keys(set).length === 0 && remove.length === 0)
        throw new CliError('give key=value labels to set or --remove KEY', 2);
      const client = await connectClient(opts);
      const [only, ...more] = names;
      if (only !== undefined && more.length === 0) {
        const agent = await findAgent(client, only);
        const removed = new Set(remove);
        const labels = Object.fromEntries(
          Object.entries({ ...agent.labels, ...set }).filter(([key]) => !removed.has(key)),
        );
        printAgent(await client.api.agents.update({ params: { id: agent.id }, body: { labels } }), opts.json);
        return;
      }
      const ids = await labelTargets(client, names, opts.selector);
      let updated = 0;
      for (let i = 0; i < ids.length; i += 1000) {
        const body = { agentIds: ids.slice(i, i + 1000), set, ...(remove.length === 0 ? {} : { remove }) };
        updated += (await client.api.agents.bulkLabel({ body })).updated;
      }
      if (opts.json === true) console.log(JSON.stringify({ updated }, null, 2));
      else console.error(`relabelled ${updated} agent${updated === 1 ? '' : 's'}`);
    });
}
