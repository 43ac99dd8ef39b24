import type { Command } from 'commander';
import type { FlotillaClient } from '@flotilla/client';
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
    const page = await client.api.agents.list({ query: { limit: 1000, ...(cursor === undefined ? {} : { cursor }) } });
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

  withClientOptions(
    agents
      .command('label')
      .description('set or remove labels: `agents label web-1 role=web --remove zone`')
      .argument('<name-or-id>')
      .argument('[labels...]', 'key=value pairs to set'),
  )
    .option('--remove <key>', 'remove a label (repeatable)', (key: string, keys: string[] | undefined) => [
      ...(keys ?? []),
      key,
    ])
    .option('--json', 'machine-readable output')
    .action(async (nameOrId: string, pairs: string[], opts: ClientFlags & { remove?: string[]; json?: boolean }) => {
      const client = await connectClient(opts);
      const agent = await findAgent(client, nameOrId);
      const set = pairs.reduce<Record<string, string>>((acc, pair) => collectKeyValue(pair, acc), {});
      const removed = new Set(opts.remove ?? []);
      const labels = Object.fromEntries(
        Object.entries({ ...agent.labels, ...set }).filter(([key]) => !removed.has(key)),
      );
      printAgent(await client.api.agents.update({ params: { id: agent.id }, body: { labels } }), opts.json);
    });
}
