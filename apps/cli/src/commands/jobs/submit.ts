import type { Command } from 'commander';
import { DurationSchema, type LogLine } from '@flotilla/protocol';
import { CliError } from '../../cli-error.js';
import { connectClient, type ClientFlags } from '../../config/client-config.js';
import { withClientOptions } from '../../config/client-options.js';
import { printJob } from './job-view.js';
import { targetFromFlags, withTargetOptions, type TargetFlags } from './target-flags.js';
import { jobExitCode, waitForJobWithProgress } from './wait.js';
import { inputsFromFlags, loadWorkflowFile } from '../../workflow-file.js';

interface SubmitFlags extends ClientFlags, TargetFlags {
  input: string[];
  expires?: string;
  wait?: boolean;
  follow?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `flotilla jobs submit FILE …`: submits a workflow file to a target; optionally waits or follows its logs. */
export function registerSubmit(jobs: Command): void {
  withTargetOptions(
    withClientOptions(jobs.command('submit').description('submit a workflow file as a job').argument('<file>')),
  )
    .option('--input <key=value>', 'set an input, converted to its declared type (repeatable)', collect, [])
    .option('--expires <duration>', 'runs not delivered within this time end expired (e.g. 10m)')
    .option('--wait', 'wait for the job to end; exit 0 when it succeeded, 1 otherwise')
    .option('-f, --follow', 'stream the log lines while waiting (implies --wait)')
    .option('--json', 'machine-readable output (the job, after the wait when waiting)')
    .action(async (file: string, opts: SubmitFlags) => {
      const target = targetFromFlags(opts);
      if (opts.expires !== undefined && !DurationSchema.safeParse(opts.expires).success) {
        throw new CliError(`--expires: "${opts.expires}" is not a duration`, 2);
      }
      const { text, workflow } = await loadWorkflowFile(file, { invalidExitCode: 2 });
      const inputs = inputsFromFlags(workflow, opts.input);
      const client = await connectClient(opts);
      const job = await client.api.jobs.submit({
        body: {
          workflow: text,
          target,
          inputs,
          ...(opts.expires === undefined ? {} : { expiresIn: opts.expires }),
        },
      });
      if (opts.wait !== true && opts.follow !== true) {
        if (opts.json === true) console.log(JSON.stringify(job, null, 2));
        else console.log(job.id);
        return;
      }
      console.error(`job ${job.id} submitted (${job.runs.length} run${job.runs.length === 1 ? '' : 's'})`);
      const agents = new Map(job.runs.map((r) => [r.id, r.agent]));
      const final = await waitForJobWithProgress(client, job, {
        ...(opts.follow === true ? { onLog: (line) => printLogLine(line, agents, opts.json === true) } : {}),
      });
      // After JSON log lines (--follow), the job is one more JSON line; alone, it is pretty-printed.
      if (opts.json === true) console.log(JSON.stringify(final, null, opts.follow === true ? undefined : 2));
      else printJob(final);
      process.exitCode = jobExitCode(final);
    });
}

/** Writes a log line (stdout lines to stdout, the rest to stderr), prefixed by the agent when there are several. */
export function printLogLine(line: LogLine, agents: ReadonlyMap<string, string>, json: boolean): void {
  if (json) {
    console.log(JSON.stringify({ ...line, agent: agents.get(line.runId) ?? null }));
    return;
  }
  const prefix = agents.size > 1 ? `[${agents.get(line.runId) ?? line.runId}] ` : '';
  // stdout stays the command's output; stderr and the agent's own `system` lines go to stderr.
  if (line.stream === 'stdout') console.log(prefix + line.line);
  else console.error(prefix + line.line);
}
