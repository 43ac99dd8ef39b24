import { DurationSchema } from '@flotilla/protocol';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { collectKeyValue } from '../config/parse-key-value.js';
import { renderTable } from '../output/table.js';

interface CreateFlags extends ClientFlags {
  enrollment?: boolean;
  uses: string;
  expires?: string;
  name?: string;
  service?: boolean;
  project?: string;
  readOnly?: boolean;
  label?: Record<string, string>;
  requireApproval?: boolean;
  json?: boolean;
}

/** Creates an API token (the default kind of `tokens create`); the secret goes to stdout once. */
async function createApiToken(opts: CreateFlags): Promise<void> {
  if (opts.name === undefined || opts.name === '') throw new CliError('an API token needs --name', 2);
  if (opts.expires !== undefined && !DurationSchema.safeParse(opts.expires).success)
    throw new CliError(`--expires: "${opts.expires}" is not a duration`, 2);
  const client = await connectClient(opts);
  const created = await client.api.apiTokens.create({
    body: {
      name: opts.name,
      kind: opts.service === true ? 'service' : 'personal',
      access: opts.readOnly === true ? 'read-only' : 'full',
      ...(opts.project === undefined ? {} : { project: opts.project }),
      ...(opts.expires === undefined ? {} : { expiresIn: opts.expires }),
    },
  });
  if (opts.json === true) {
    console.log(JSON.stringify(created, null, 2));
    return;
  }
  console.log(created.token);
  console.error(
    `${created.kind} API token ${created.id}: ${created.access} on ${created.project ?? 'all projects'}, expires ${created.expiresAt ?? 'never'}; shown once`,
  );
}

export const tokensCommand: CliCommand = {
  register(program) {
    const tokens = program
      .command('tokens')
      .description('create, list and revoke API tokens and (with --enrollment) enrolment tokens');

    withClientOptions(tokens.command('create').description('create a token; the secret is printed once'))
      .option('--enrollment', 'an agent enrolment token (default: an API token)')
      .option('--name <name>', 'API token: what it is for')
      .option('--service', 'API token: a service token (tenant admins) instead of a personal one')
      .option('--project <name>', 'API token: limit it to one project')
      .option('--read-only', 'API token: it may read but never change anything')
      .option('--uses <n>', 'enrolment token: how many agents may enrol with it', '1')
      .option(
        '--expires <duration>',
        'lifetime, e.g. 30m, 24h, 7d (enrolment default 24h; API tokens never expire unless set)',
      )
      .option('--label <key=value>', 'default label for enrolled agents (repeatable)', collectKeyValue)
      .option('--require-approval', 'agents enrolled with it stay pending until approved')
      .option('--json', 'machine-readable output')
      .action(async (opts: CreateFlags) => {
        if (opts.enrollment !== true) {
          await createApiToken(opts);
          return;
        }
        const uses = Number(opts.uses);
        const expires = opts.expires ?? '24h';
        if (!Number.isInteger(uses) || uses < 1)
          throw new CliError(`--uses must be a positive integer, got "${opts.uses}"`, 2);
        if (!DurationSchema.safeParse(expires).success)
          throw new CliError(`--expires: "${expires}" is not a duration`, 2);
        const client = await connectClient(opts);
        const created = await client.api.enrollmentTokens.create({
          body: {
            uses,
            expiresIn: expires,
            labels: opts.label ?? {},
            policy: opts.requireApproval === true ? 'require-approval' : 'auto-approve',
          },
        });
        if (opts.json === true) {
          console.log(JSON.stringify(created, null, 2));
          return;
        }
        console.log(created.token);
        console.error(
          `enrolment token ${created.id}: ${created.uses} use(s), expires ${created.expiresAt}, policy ${created.policy}`,
        );
        console.error(`start an agent with: flotilla agent --server ${client.baseUrl} --token <token above>`);
      });

    withClientOptions(tokens.command('list').description('list tokens (never their secrets)'))
      .option('--enrollment', 'enrolment tokens (default: API tokens)')
      .option('--json', 'machine-readable output')
      .action(async (opts: ClientFlags & { enrollment?: boolean; json?: boolean }) => {
        const client = await connectClient(opts);
        if (opts.enrollment !== true) {
          const { items } = await client.api.apiTokens.list();
          if (opts.json === true) console.log(JSON.stringify(items, null, 2));
          else {
            const rows = items.map((t) => [
              t.id,
              t.name,
              t.kind,
              t.project ?? '*',
              t.access,
              t.revoked ? 'revoked' : (t.expiresAt ?? 'never'),
              t.lastUsedAt ?? '-',
            ]);
            console.log(renderTable(['ID', 'NAME', 'KIND', 'PROJECT', 'ACCESS', 'EXPIRES', 'LAST USED'], rows));
          }
          return;
        }
        const page = await client.api.enrollmentTokens.list();
        if (opts.json === true) {
          console.log(JSON.stringify(page.items, null, 2));
          return;
        }
        const rows = page.items.map((t) => [
          t.id,
          `${t.usesLeft}/${t.uses}`,
          t.policy,
          t.revoked ? 'revoked' : t.expiresAt,
          Object.entries(t.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',') || '-',
        ]);
        console.log(renderTable(['ID', 'USES LEFT', 'POLICY', 'EXPIRES', 'LABELS'], rows));
      });

    withClientOptions(tokens.command('revoke').description('revoke a token').argument('<id>'))
      .option('--enrollment', 'an enrolment token (default: an API token)')
      .action(async (id: string, opts: ClientFlags & { enrollment?: boolean }) => {
        const client = await connectClient(opts);
        if (opts.enrollment === true) await client.api.enrollmentTokens.revoke({ params: { id } });
        else await client.api.apiTokens.revoke({ params: { id } });
        console.error(`revoked ${id}`);
      });
  },
};
