import { readFile } from 'node:fs/promises';
import type { ServerOptions } from '@flotilla/server';
import type { CliCommand } from '../command-registry.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable } from '../output/table.js';

interface RotateFlags {
  data?: string;
  databaseUrl?: string;
  config?: string;
}

/** Reads a secret value from stdin; one trailing newline (from `echo` or a heredoc) is dropped. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    console.error('enter the secret value, then Ctrl-D (it is not echoed into argv or shell history)');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const secretsCommand: CliCommand = {
  register(program) {
    const secrets = program.command('secrets').description('manage project secrets (write-only) and the master key');

    // The value is never an argument (argv is visible to every user in `ps`); commander refuses extra arguments.
    withClientOptions(
      secrets
        .command('set')
        .description('create or replace a secret; the value is read from stdin or --from-file')
        .argument('<name>'),
    )
      .option('--from-file <path>', 'read the value from a file, byte for byte')
      .action(async (name: string, opts: ClientFlags & { fromFile?: string }) => {
        const value = opts.fromFile === undefined ? await readStdin() : await readFile(opts.fromFile, 'utf8');
        const client = await connectClient(opts);
        const secret = await client.api.secrets.set({ body: { name, value } });
        console.error(
          secret.createdAt === secret.updatedAt ? `created secret ${secret.name}` : `replaced secret ${secret.name}`,
        );
      });

    withClientOptions(secrets.command('list').description('list secret names (never values)'))
      .option('--json', 'machine-readable output')
      .action(async (opts: ClientFlags & { json?: boolean }) => {
        const { items } = await (await connectClient(opts)).api.secrets.list();
        if (opts.json === true) {
          console.log(JSON.stringify(items, null, 2));
          return;
        }
        console.log(
          renderTable(
            ['NAME', 'CREATED', 'UPDATED'],
            items.map((s) => [s.name, s.createdAt, s.updatedAt]),
          ),
        );
      });

    withClientOptions(secrets.command('delete').description('delete a secret').argument('<name>')).action(
      async (name: string, opts: ClientFlags) => {
        await (await connectClient(opts)).api.secrets.delete({ params: { name } });
        console.error(`deleted secret ${name}`);
      },
    );

    secrets
      .command('rotate-master-key')
      .description(
        'OFFLINE: stop the server first. New master key, every data key re-wrapped in one transaction, key file swapped atomically',
      )
      .option('--data <dir>', 'data directory holding master.key (env FLOTILLA_DATA)')
      .option('--database-url <url>', 'sqlite:PATH or postgres://… (env FLOTILLA_DATABASE_URL)')
      .option('--config <file>', 'YAML config file (env FLOTILLA_CONFIG)')
      .action(async (opts: RotateFlags) => {
        const { compileServerOptions, rotateMasterKey } = await import('@flotilla/server');
        const flags: ServerOptions = {
          ...(opts.data === undefined ? {} : { dataDir: opts.data }),
          ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
        };
        const options = compileServerOptions({
          flags,
          env: process.env,
          ...(opts.config === undefined ? {} : { configFile: opts.config }),
        });
        const result = await rotateMasterKey(options);
        console.error(
          `master key rotated: ${result.oldKeyId} → ${result.newKeyId}, ${result.rewrapped} data key(s) re-wrapped`,
        );
        console.error(
          `new key file: ${result.keyFile} — back it up now; database backups taken before now need the old key`,
        );
        if (result.environmentKeyMustChange) {
          console.error(
            'the old key came from FLOTILLA_MASTER_KEY: set it to the content of the new key file (or unset it) before starting the server',
          );
        }
      });
  },
};
