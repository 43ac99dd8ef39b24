import { parseDuration } from '@flotilla/protocol';
import type { AuditEvent } from '@flotilla/protocol';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { renderTable } from '../output/table.js';

interface ListFlags extends ClientFlags {
  action?: string;
  actor?: string;
  object?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

/** `--since 2h` (relative) or an RFC 3339 timestamp. */
function toTimestamp(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms !== undefined) return new Date(Date.now() - ms).toISOString();
  if (Number.isNaN(Date.parse(value)))
    throw new CliError(`${flag}: "${value}" is neither a duration (2h) nor a timestamp`, 2);
  return new Date(value).toISOString();
}

function summary(event: AuditEvent): string {
  const text = JSON.stringify(event.change);
  return text === '{}' ? '-' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export const auditCommand: CliCommand = {
  register(program) {
    const audit = program.command('audit').description('read and verify the audit log (tenant admins)');

    withClientOptions(audit.command('list').description('audit records, newest first'))
      .option('--action <action>', 'e.g. agent.approve, or agent for every agent.* action')
      .option('--actor <actor>', 'user id, username, agent:<id> or system')
      .option('--object <object>', '<type>, <id> or <type>:<id>')
      .option('--since <when>', 'a duration back from now (2h) or a timestamp')
      .option('--until <when>', 'a duration back from now or a timestamp')
      .option('--limit <n>', 'how many records', '50')
      .option('--json', 'machine-readable output')
      .action(async (opts: ListFlags) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new CliError(`--limit must be 1–1000, got "${opts.limit}"`, 2);
        const since = toTimestamp('--since', opts.since);
        const until = toTimestamp('--until', opts.until);
        const client = await connectClient(opts);
        const page = await client.api.audit.list({
          query: {
            limit,
            ...(opts.action === undefined ? {} : { action: opts.action }),
            ...(opts.actor === undefined ? {} : { actor: opts.actor }),
            ...(opts.object === undefined ? {} : { object: opts.object }),
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
          },
        });
        if (opts.json === true) {
          console.log(JSON.stringify(page.items, null, 2));
          return;
        }
        const rows = page.items.map((e) => [
          String(e.seq),
          e.ts,
          e.actorName ?? e.actor,
          e.action,
          e.objectId === null ? e.objectType : `${e.objectType}:${e.objectId}`,
          e.source ?? '-',
          summary(e),
        ]);
        console.log(renderTable(['SEQ', 'TIME', 'ACTOR', 'ACTION', 'OBJECT', 'SOURCE', 'CHANGE'], rows));
      });

    withClientOptions(
      audit
        .command('verify')
        .description('re-check the hash chain; exit 1 when a record was changed, removed or forged'),
    )
      .option('--json', 'machine-readable output')
      .action(async (opts: ClientFlags & { json?: boolean }) => {
        const result = await (await connectClient(opts)).api.audit.verify();
        if (opts.json === true) console.log(JSON.stringify(result));
        else if (result.ok) console.log(`audit chain intact: ${result.checked} record(s) verified`);
        else
          console.log(
            `audit chain BROKEN at seq ${result.firstBadSeq ?? '?'} (${result.checked} record(s) verified before it)`,
          );
        if (!result.ok) process.exitCode = 1;
      });
  },
};
