import type { CliCommand } from '../command-registry.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable } from '../output/table.js';

type Flags = ClientFlags & { json?: boolean };

/** `flotilla tenants create|list` (creating tenants is for the server owner). */
export const tenantsCommand: CliCommand = {
  register(program) {
    const tenants = program.command('tenants').description('create and list tenants (server owner)');
    withClientOptions(
      tenants.command('create').description('create a tenant with its default project').argument('<name>'),
    )
      .option('--json', 'machine-readable output')
      .action(async (name: string, opts: Flags) => {
        const tenant = await (await connectClient(opts)).api.tenants.create({ body: { name } });
        if (opts.json === true) console.log(JSON.stringify(tenant, null, 2));
        else console.error(`created tenant ${tenant.name} (${tenant.id}) with project default`);
      });
    withClientOptions(tenants.command('list').description('list tenants'))
      .option('--json', 'machine-readable output')
      .action(async (opts: Flags) => {
        const { items } = await (await connectClient(opts)).api.tenants.list();
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
