import { randomBytes } from 'node:crypto';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable } from '../output/table.js';

interface CreateFlags extends ClientFlags {
  tenant?: string;
  role: string;
  passwordStdin?: boolean;
  json?: boolean;
}

/**
 * The new user's password never comes from argv (visible in `ps`): FLOTILLA_NEW_PASSWORD,
 * standard input, or a generated one printed once.
 */
async function newPassword(opts: CreateFlags): Promise<{ password: string; generated: boolean }> {
  const fromEnv = process.env.FLOTILLA_NEW_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return { password: fromEnv, generated: false };
  if (opts.passwordStdin === true) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return {
      password: Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, ''),
      generated: false,
    };
  }
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

/** `flotilla users create|list`. */
export const usersCommand: CliCommand = {
  register(program) {
    const users = program.command('users').description('create and list users of your tenant');
    withClientOptions(
      users
        .command('create')
        .description('create a user (tenant admin; the owner may name any tenant)')
        .argument('<username>'),
    )
      .option('--tenant <name>', 'tenant of the user (default: yours)')
      .option('--role <role>', 'admin or member', 'member')
      .option(
        '--password-stdin',
        'read the password from standard input (also: FLOTILLA_NEW_PASSWORD); generated when neither',
      )
      .option('--json', 'machine-readable output')
      .action(async (username: string, opts: CreateFlags) => {
        if (opts.role !== 'admin' && opts.role !== 'member')
          throw new CliError(`--role must be admin or member, got "${opts.role}"`, 2);
        const { password, generated } = await newPassword(opts);
        const client = await connectClient(opts);
        const user = await client.api.users.create({
          body: { username, password, role: opts.role, ...(opts.tenant === undefined ? {} : { tenant: opts.tenant }) },
        });
        if (opts.json === true) console.log(JSON.stringify(generated ? { ...user, password } : user, null, 2));
        else {
          if (generated) console.log(password);
          console.error(
            `created ${user.role} ${user.username} in tenant ${user.tenant} (${user.id})${generated ? '; the password above is shown once' : ''}`,
          );
        }
      });
    withClientOptions(users.command('list').description('list users'))
      .option('--json', 'machine-readable output')
      .action(async (opts: ClientFlags & { json?: boolean }) => {
        const { items } = await (await connectClient(opts)).api.users.list();
        if (opts.json === true) console.log(JSON.stringify(items, null, 2));
        else
          console.log(
            renderTable(
              ['USERNAME', 'ROLE', 'TENANT', 'LOCKED UNTIL', 'ID'],
              items.map((u) => [u.username, u.role, u.tenant, u.lockedUntil ?? '-', u.id]),
            ),
          );
      });
  },
};
