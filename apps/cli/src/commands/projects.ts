import type { CliCommand } from '../command-registry.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable } from '../output/table.js';

type Flags = ClientFlags & { json?: boolean };

/** `flotilla projects create|list` in the caller's tenant. */
export const projectsCommand: CliCommand = {
  register(program) {
    const projects = program.command('projects').description('create and list projects of your tenant');
    withClientOptions(projects.command('create').description('create a project (tenant admin)').argument('<name>'))
      .option('--json', 'machine-readable output')
      .action(async (name: string, opts: Flags) => {
        const project = await (await connectClient(opts)).api.projects.create({ body: { name } });
        if (opts.json === true) console.log(JSON.stringify(project, null, 2));
        else console.error(`created project ${project.name} (${project.id})`);
      });
    withClientOptions(projects.command('list').description('list projects'))
      .option('--json', 'machine-readable output')
      .action(async (opts: Flags) => {
        const { items } = await (await connectClient(opts)).api.projects.list();
        if (opts.json === true) console.log(JSON.stringify(items, null, 2));
        else
          console.log(
            renderTable(
              ['NAME', 'ID', 'CREATED'],
              items.map((x) => [x.name, x.id, x.createdAt]),
            ),
          );
      });
  },
};
