import type { FlotillaClient } from '@flotilla/client';
import type { Job } from '@flotilla/protocol';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';
import { fanOutRows, printFanOutRows } from '../output/fan-out-table.js';
import { formatFailure } from '../output/job-format.js';
import { targetFromFlags, withTargetOptions, type TargetFlags } from './jobs/target-flags.js';
import { waitForJobWithProgress } from './jobs/wait.js';

interface ExecFlags extends ClientFlags, TargetFlags {
  timeout: string;
  json?: boolean;
}

/** Builds the one-step workflow that `exec` submits (JSON is valid YAML; no quoting pitfalls). */
export function execWorkflow(argv: readonly string[], timeout: string): string {
  const [command, ...args] = argv;
  if (command === undefined) throw new CliError('nothing to run: give a command after --', 2);
  return JSON.stringify({
    name: 'exec',
    tasks: [{ name: 'exec', type: 'command', timeout, config: { command, args } }],
  });
}

export const execCommand: CliCommand = {
  register(program) {
    withTargetOptions(
      withClientOptions(
        program
          .command('exec')
          .description(
            'run one command: on one agent (--agent: streams its output, exits with its exit code) or on every ' +
              'agent matching --selector (a per-agent table; exit 0 when all succeeded)',
          )
          .option('--timeout <duration>', 'kill the command after this long', '5m')
          .option('--json', 'with --selector: print the per-agent rows as JSON')
          .argument('<command...>', 'the command and its arguments (put them after --)')
          .usage('(--agent NAME | --selector k=v...) -- CMD [ARGS...]'),
      ),
    ).action(async (argv: string[], opts: ExecFlags) => {
      const target = targetFromFlags(opts);
      const workflow = execWorkflow(argv, opts.timeout);
      const client = await connectClient(opts);
      const job = await client.api.jobs.submit({ body: { workflow, target } });
      if ('agent' in target) await execOnAgent(client, job, target.agent);
      else await execOnSelector(client, job, opts.json === true);
    });
  },
};

/** One agent: stream its output and exit with the command's exit code. */
async function execOnAgent(client: FlotillaClient, job: Job, agent: string): Promise<void> {
  if (job.state === 'queued') console.error(`job ${job.id} queued (agent ${agent} is not connected yet); waiting…`);
  const final = await client.waitForJob(job.id, {
    onLog: (line) => {
      if (line.stream === 'stdout') process.stdout.write(line.line + '\n');
      else process.stderr.write(line.line + '\n');
    },
  });
  const run = final.runs[0];
  if (final.state === 'succeeded') {
    process.exitCode = run?.exitCode ?? 0;
    return;
  }
  if (run?.exitCode !== null && run?.exitCode !== undefined && run.exitCode !== 0) {
    process.exitCode = run.exitCode;
    return;
  }
  throw new CliError(`job ${final.id} ${final.state}${run?.error ? ` ${formatFailure(run.error)}` : ''}`, 1);
}

/** Fan-out: progress while waiting, then one row per agent; exit 0 only when every run succeeded. */
async function execOnSelector(client: FlotillaClient, job: Job, json: boolean): Promise<void> {
  const firstLines = new Map<string, { stdout?: string; stderr?: string; system?: string }>();
  const final = await waitForJobWithProgress(client, job, {
    onLog: (line) => {
      const seen = firstLines.get(line.runId) ?? {};
      seen[line.stream] ??= line.line;
      firstLines.set(line.runId, seen);
    },
  });
  const rows = fanOutRows(final, firstLines);
  if (json) console.log(JSON.stringify(rows, null, 2));
  else printFanOutRows(rows);
  process.exitCode = final.state === 'succeeded' && rows.every((r) => r.state === 'succeeded') ? 0 : 1;
}
