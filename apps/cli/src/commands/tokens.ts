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
  expires: string;
  label?: Record<string, string>;
  requireApproval?: boolean;
  json?: boolean;
}

function requireEnrollment(flags: { enrollment?: boolean }): void {
  // API tokens arrive with the platform issue; until then only enrolment tokens exist.
  if (flags.enrollment !== true) throw new CliError('only enrolment tokens exist so far: pass --enrollment', 2);
}

export const tokensCommand: CliCommand = {
  register(program) {
    const tokens = program.command('tokens').description('create, list and revoke enrolment tokens');

    withClientOptions(tokens.command('create').description('create a token; the secret is printed once'))
      .option('--enrollment', 'an agent enrolment token')
      .option('--uses <n>', 'how many agents may enrol with it', '1')
      .option('--expires <duration>', 'lifetime, e.g. 30m, 24h, 7d', '24h')
      .option('--label <key=value>', 'default label for enrolled agents (repeatable)', collectKeyValue)
      .option('--require-approval', 'agents enrolled with it stay pending until approved')
      .option('--json', 'machine-readable output')
      .action(async (opts: CreateFlags) => {
        requireEnrollment(opts);
        const uses = Number(opts.uses);
        if (!Number.isInteger(uses) || uses < 1) throw new CliError(`--uses must be a positive integer, got "${opts.uses}"`, 2);
        if (!DurationSchema.safeParse(opts.expires).success) throw new CliError(`--expires: "${opts.expires}" is not a duration`, 2);
        const client = await connectClient(opts);
        const created = await client.createEnrollmentToken({
          uses,
          expiresIn: opts.expires,
          labels: opts.label ?? {},
          policy: opts.requireApproval === true ? 'require-approval' : 'auto-approve',
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
      .option('--enrollment', 'enrolment tokens')
      .option('--json', 'machine-readable output')
      .action(async (opts: ClientFlags & { enrollment?: boolean; json?: boolean }) => {
        requireEnrollment(opts);
        const client = await connectClient(opts);
        const page = await client.listEnrollmentTokens();
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
      .option('--enrollment', 'an enrolment token')
      .action(async (id: string, opts: ClientFlags & { enrollment?: boolean }) => {
        requireEnrollment(opts);
        const client = await connectClient(opts);
        await client.revokeEnrollmentToken(id);
        console.error(`revoked ${id}`);
      });
  },
};
