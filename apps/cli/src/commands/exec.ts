import { TERMINAL_STATES } from '@flotilla/protocol';
import type { CliCommand } from '../command-registry.js';
import { CliError } from '../cli-error.js';
import { connectClient, type ClientFlags } from '../config/client-config.js';
import { withClientOptions } from '../config/client-options.js';

interface ExecFlags extends ClientFlags {
  agent: string;
  timeout: string;
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
    withClientOptions(
      program
        .command('exec')
        .description('run one command on an agent, stream its output, exit with its exit code')
        .requiredOption('--agent <name>', 'target agent (name or id)')
        .option('--timeout <duration>', 'kill the command after this long', '5m')
        .argument('<command...>', 'the command and its arguments (put them after --)')
        .usage('--agent NAME -- CMD [ARGS...]'),
    ).action(async (argv: string[], opts: ExecFlags) => {
      const client = await connectClient(opts);
      const job = await client.createJob({ workflow: execWorkflow(argv, opts.timeout), target: { agent: opts.agent } });
      if (!TERMINAL_STATES.has(job.state) && job.state === 'queued') {
        console.error(`job ${job.id} queued (agent ${opts.agent} is not connected yet); waiting…`);
      }
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
      throw new CliError(`job ${final.id} ${final.state}${run?.error ? `: ${run.error}` : ''}`, 1);
    });
  },
};
