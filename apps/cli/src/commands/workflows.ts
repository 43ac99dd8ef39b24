import { readFile } from 'node:fs/promises';
import type { FlotillaClient } from '@flotilla/client';
import { allPages } from '@flotilla/client';
import type { Workflow } from '@flotilla/protocol';
import { validateWorkflow } from '@flotilla/workflow';
import { CliError } from '../cli-error.js';
import type { CliCommand } from '../command-registry.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable, timeAgo } from '../output/table.js';

type JsonFlags = ClientFlags & { json?: boolean };

function allWorkflows(client: FlotillaClient): Promise<Workflow[]> {
  return allPages((query) => client.api.workflows.list({ query }));
}

/** Accepts a workflow id (`wfl_…`) or a name. */
async function resolveId(client: FlotillaClient, nameOrId: string): Promise<string> {
  if (nameOrId.startsWith('wfl_')) return nameOrId;
  const found = (await allWorkflows(client)).find((w) => w.name === nameOrId);
  if (found === undefined) throw new CliError(`no workflow named ${JSON.stringify(nameOrId)}`);
  return found.id;
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`not a version number: ${text}`);
  return n;
}

/** `flotilla workflows list|push|get|versions|diff`: versioned workflows on the server. */
export const workflowsCommand: CliCommand = {
  register(program) {
    const workflows = program
      .command('workflows')
      .description('versioned workflows stored on the server (each save is a new version and a git commit)');

    withClientOptions(workflows.command('list').description('list workflows with their latest version'))
      .option('--json', 'machine-readable output')
      .action(async (opts: JsonFlags) => {
        const items = await allWorkflows(await connectClient(opts));
        if (opts.json === true) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        console.log(
          renderTable(
            ['NAME', 'VERSION', 'UPDATED', 'BY', 'ID'],
            items.map((w) => [w.name, `v${w.version}`, timeAgo(w.updatedAt), w.updatedBy ?? '-', w.id]),
          ),
        );
      });

    withClientOptions(
      workflows
        .command('push')
        .description('create the workflow of FILE, or save it as a new version of the workflow with its name')
        .argument('<file>'),
    )
      .option('--json', 'machine-readable output')
      .action(async (file: string, opts: JsonFlags) => {
        const document = await readFile(file, 'utf8');
        const client = await connectClient(opts);
        const local = validateWorkflow(document);
        // An invalid document goes to the server anyway: its 422 lists every problem with line:column.
        const existing = local.ok
          ? (await allWorkflows(client)).find((w) => w.name === local.workflow.name)
          : undefined;
        const saved =
          existing === undefined
            ? await client.api.workflows.create({ body: { document } })
            : await client.api.workflows.update({ params: { id: existing.id }, body: { document } });
        if (opts.json === true) console.log(JSON.stringify(saved, null, 2));
        else
          console.error(
            `${existing === undefined ? 'created' : 'updated'} workflow ${saved.name} v${saved.version} (${saved.id})`,
          );
      });

    withClientOptions(
      workflows
        .command('get')
        .description('print the document of a workflow (latest, or --version N)')
        .argument('<name-or-id>'),
    )
      .option('--version <n>', 'a specific version')
      .option('--json', 'machine-readable output (with metadata)')
      .action(async (nameOrId: string, opts: JsonFlags & { version?: string }) => {
        const client = await connectClient(opts);
        const id = await resolveId(client, nameOrId);
        const result =
          opts.version === undefined
            ? await client.api.workflows.get({ params: { id } })
            : await client.api.workflows.version({ params: { id, n: positiveInt(opts.version) } });
        if (opts.json === true) console.log(JSON.stringify(result, null, 2));
        else process.stdout.write(result.document);
      });

    withClientOptions(
      workflows.command('versions').description('list the versions of a workflow').argument('<name-or-id>'),
    )
      .option('--json', 'machine-readable output')
      .action(async (nameOrId: string, opts: JsonFlags) => {
        const client = await connectClient(opts);
        const id = await resolveId(client, nameOrId);
        const items = await allPages((query) => client.api.workflows.versions({ params: { id }, query }));
        if (opts.json === true) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        const rows = items.map((v) => [
          `v${v.version}`,
          v.change + (v.restoredFrom === null ? '' : ` v${v.restoredFrom}`),
          v.name,
          timeAgo(v.createdAt),
          v.createdBy ?? '-',
        ]);
        console.log(renderTable(['VERSION', 'CHANGE', 'NAME', 'SAVED', 'BY'], rows));
      });

    withClientOptions(
      workflows
        .command('diff')
        .description('unified diff between two versions')
        .argument('<name-or-id>')
        .argument('<from>')
        .argument('[to]', 'default: the latest version'),
    ).action(async (nameOrId: string, from: string, to: string | undefined, opts: ClientFlags) => {
      const client = await connectClient(opts);
      const id = await resolveId(client, nameOrId);
      const query = { from: positiveInt(from), ...(to === undefined ? {} : { to: positiveInt(to) }) };
      const result = await client.api.workflows.diff({ params: { id }, query });
      process.stdout.write(result.diff === '' ? `v${result.from} and v${result.to} are identical\n` : result.diff);
    });
  },
};
