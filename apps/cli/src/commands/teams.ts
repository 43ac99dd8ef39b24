import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable } from '../output/table.js';

type Flags = ClientFlags & { json?: boolean };

function print(team: unknown, opts: Flags, message: string): void {
  if (opts.json === true) console.log(JSON.stringify(team, null, 2));
  else console.error(message);
}

/** `flotilla teams create|list|add-member|grant`. */
export const teamsCommand: CliCommand = {
  register(program) {
    const teams = program.command('teams').description('teams of your tenant, their members and project grants');
    withClientOptions(teams.command('create').description('create a team (tenant admin)').argument('<name>'))
      .option('--json', 'machine-readable output')
      .action(async (name: string, opts: Flags) => {
        const team = await (await connectClient(opts)).api.teams.create({ body: { name } });
        print(team, opts, `created team ${team.name} (${team.id})`);
      });
    withClientOptions(teams.command('list').description('list teams with members and grants'))
      .option('--json', 'machine-readable output')
      .action(async (opts: Flags) => {
        const { items } = await (await connectClient(opts)).api.teams.list();
        if (opts.json === true) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        const rows = items.map((t) => [
          t.name,
          t.members.map((m) => m.username).join(',') || '-',
          t.grants.map((g) => `${g.project}:${g.access}`).join(',') || '-',
          t.id,
        ]);
        console.log(renderTable(['NAME', 'MEMBERS', 'GRANTS', 'ID'], rows));
      });
    withClientOptions(
      teams.command('add-member').description('add a user (by id) to a team').argument('<teamId>').argument('<userId>'),
    )
      .option('--json', 'machine-readable output')
      .action(async (teamId: string, userId: string, opts: Flags) => {
        const team = await (
          await connectClient(opts)
        ).api.teams.addMember({ params: { id: teamId }, body: { userId } });
        print(team, opts, `team ${team.name}: ${team.members.map((m) => m.username).join(', ')}`);
      });
    withClientOptions(
      teams
        .command('grant')
        .description('grant a team access on a project name, or * for all projects')
        .argument('<teamId>')
        .argument('<project>'),
    )
      .option('--access <access>', 'full or read-only', 'read-only')
      .option('--json', 'machine-readable output')
      .action(async (teamId: string, project: string, opts: Flags & { access: string }) => {
        if (opts.access !== 'full' && opts.access !== 'read-only')
          throw new CliError(`--access must be full or read-only, got "${opts.access}"`, 2);
        const team = await (
          await connectClient(opts)
        ).api.teams.grant({ params: { id: teamId }, body: { project, access: opts.access } });
        print(team, opts, `team ${team.name}: ${team.grants.map((g) => `${g.project}:${g.access}`).join(', ')}`);
      });
  },
};
