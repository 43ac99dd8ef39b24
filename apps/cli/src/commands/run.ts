import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  createFileJournal,
  createLocalServices,
  createStepRegistry,
  killLeftoverProcesses,
  systemClock,
  useLauncherHelper,
} from '@flotilla/steps';
import { createEngine, createMemoryJournal, toJUnitXml } from '@flotilla/workflow';
import type { CompiledWorkflow, EngineEvent, InputSpec, RunRecord } from '@flotilla/workflow';
import type { StepStatus } from '@flotilla/protocol';
import { CliError } from '../cli-error.js';
import type { CliCommand } from '../command-registry.js';
import { formatDuration, formatFailure } from '../output/job-format.js';
import { coerceFlagValue, inputsFromFlags, loadWorkflowFile, splitAssignment } from '../workflow-file.js';

interface RunOptions {
  var: string[];
  input: string[];
  secretEnv: string[];
  json?: boolean;
  junit?: string;
  journal?: string;
  runId?: string;
}

const MARKS: Record<StepStatus, string> = {
  succeeded: '✓',
  failed: '✗',
  skipped: '–',
  timed_out: '⏱',
  interrupted: '!',
  cancelled: '✗',
};
/** Output lines kept per step, shown when it fails. */
const TAIL_LINES = 20;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function typeOf(value: unknown): InputSpec['type'] {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return typeof value === 'object' && value !== null ? 'object' : 'string';
}

/** Applies `--var`, `--input` and the secrets named in the document (read from the environment). */
function prepare(workflow: CompiledWorkflow, opts: RunOptions) {
  const variables = { ...workflow.variables };
  // a probe document's vars are its own (`probe.vars`): --var sets one of them
  const probeVars = workflow.probe === undefined ? undefined : { ...workflow.probe.vars };
  for (const [name, text] of opts.var.map((v) => splitAssignment('--var', v))) {
    if (probeVars !== undefined) probeVars[name] = text;
    else
      variables[name] = Object.hasOwn(variables, name)
        ? coerceFlagValue('--var', name, text, typeOf(variables[name]))
        : text;
  }
  const inputs = inputsFromFlags(workflow, opts.input);
  const secrets: Record<string, string> = {};
  for (const name of workflow.secrets) {
    const value = process.env[name];
    if (value === undefined)
      console.error(`warning: secret ${name} is not set (export the environment variable ${name})`);
    else secrets[name] = value;
  }
  for (const entry of opts.secretEnv) {
    const [name, envName] = entry.includes('=') ? splitAssignment('--secret-env', entry) : [entry, entry];
    const value = process.env[envName];
    if (value === undefined) throw new CliError(`--secret-env ${entry}: environment variable ${envName} is not set`, 2);
    secrets[name] = value;
  }
  const probe = probeVars === undefined ? {} : { probe: { ...workflow.probe, vars: probeVars } };
  return { workflow: { ...workflow, variables, ...probe }, inputs, secrets };
}

/** Prints one line per finished step as it happens, with the output tail of failed steps. */
function liveReport(quiet: boolean) {
  const tails = new Map<string, string[]>();
  const onEvent = (event: EngineEvent): void => {
    if (event.kind === 'log' && event.stream !== 'system') {
      const tail = tails.get(event.step) ?? [];
      tail.push(event.line);
      if (tail.length > TAIL_LINES) tail.shift();
      tails.set(event.step, tail);
    }
    if (event.kind !== 'step.finished' || quiet) return;
    const label = event.phase === 'main' ? event.step : `${event.step} (${event.phase})`;
    console.log(`${MARKS[event.status]} ${label}  ${formatDuration(event.durationMs)}`);
    if (event.status === 'succeeded' || event.status === 'skipped') return;
    for (const line of tails.get(event.step) ?? []) console.log(`    │ ${line}`);
    if (event.error !== undefined) console.log(`    ${formatFailure(event.error)}`);
  };
  return { onEvent, tails };
}

function totals(record: RunRecord): string {
  const count = (status: StepStatus) => record.steps.filter((s) => s.status === status).length;
  const extra = (['timed_out', 'cancelled', 'interrupted'] as const)
    .filter((s) => count(s) > 0)
    .map((s) => `, ${count(s)} ${s.replace('_', ' ')}`)
    .join('');
  return `${count('succeeded')} succeeded, ${count('failed')} failed${extra}, ${count('skipped')} skipped in ${formatDuration(record.durationMs)}`;
}

async function runFile(file: string, opts: RunOptions): Promise<void> {
  const registry = createStepRegistry();
  const loaded = await loadWorkflowFile(file, { invalidExitCode: 1, steps: registry });
  const { workflow, inputs, secrets } = prepare(loaded.workflow, opts);
  const fileJournal = opts.journal === undefined ? undefined : createFileJournal(opts.journal);
  // Commands start through the launcher helper, which kills them if this process dies (even by
  // SIGKILL). With a journal, a crashed run can be resumed: the ledger beside it lets the resume
  // kill what the crash left running first (if the helper died too).
  let ledgerFile: string | undefined;
  if (opts.journal !== undefined) {
    await mkdir(opts.journal, { recursive: true });
    // not `*.jsonl`: the journal takes every such file in its directory for a run
    ledgerFile = join(opts.journal, '.processes');
    const { killed } = killLeftoverProcesses(ledgerFile);
    if (killed.length > 0) console.error(`killed ${killed.length} process group(s) the crashed run left running`);
  }
  const launcherHelper = useLauncherHelper({ ledgerFile });
  const journal = fileJournal ?? createMemoryJournal();
  const report = liveReport(opts.json === true);
  const engine = createEngine({
    registry,
    clock: systemClock,
    journal,
    services: createLocalServices({ launch: launcherHelper.launch }),
    onEvent: report.onEvent,
    // a probe document's `embedded` job files, relative to the working directory as in probe
    readJobFile: (path) => readFile(resolve(path), 'utf8'),
  });
  const cancel = new AbortController();
  const onSigint = (): void => {
    console.error('cancelling… (finally steps still run)');
    cancel.abort();
  };
  process.once('SIGINT', onSigint);
  const startedAt = new Date();
  let record: RunRecord;
  try {
    const runId = opts.runId ?? `local-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    // what a probe document's vars read by bare name, as probe reads its own environment
    const environment = Object.fromEntries(
      Object.entries(process.env).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])),
    );
    record = await engine.run({ runId, workflow, inputs, secrets, environment, signal: cancel.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
    await launcherHelper.release();
    await fileJournal?.close();
  }
  if (opts.junit !== undefined) {
    await writeFile(opts.junit, toJUnitXml(record, { logs: report.tails, timestamp: startedAt.toISOString() }));
  }
  if (opts.json === true) console.log(JSON.stringify(record, null, 2));
  else console.log(`${totals(record)}${record.status === 'succeeded' ? '' : ` — run ${record.status}`}`);
  process.exitCode = record.status === 'succeeded' ? 0 : 1;
}

/**
 * `flotilla run FILE`: validates and runs a workflow on this machine with no server, printing a
 * live report. Secrets named in the document's `secrets:` are read from environment variables
 * of the same name (`--secret-env NAME=VAR` reads one from another variable). Exit 0 when the
 * run succeeded, 1 otherwise, 2 for bad flags or an unreadable file.
 */
export const runCommand: CliCommand = {
  register(program) {
    program
      .command('run')
      .description('run a workflow locally (no server) and report each step')
      .argument('<file>', 'workflow document (.yaml, .yml or .json)')
      .option('--var <key=value>', 'override a variable (repeatable)', collect, [])
      .option('--input <key=value>', 'set an input, converted to its declared type (repeatable)', collect, [])
      .option(
        '--secret-env <NAME[=VAR]>',
        'read secret NAME from environment variable VAR (default: NAME) (repeatable)',
        collect,
        [],
      )
      .option('--json', 'print the run record as JSON instead of the report')
      .option('--junit <file>', 'also write a JUnit XML report to FILE')
      .option('--journal <dir>', 'journal the run in DIR (fsynced; a crashed run resumes with the same --run-id)')
      .option('--run-id <id>', 'the run id (default: a new one)')
      .addHelpText(
        'after',
        [
          '',
          "Secrets: each name in the document's `secrets:` is read from the environment variable of the same",
          'name (a missing one is reported and left unset); --secret-env NAME=VAR reads it from VAR instead.',
          'Secret values are masked (***) in the report, the JSON record and the JUnit file.',
          '',
          'Exit status: 0 when the run succeeded, 1 when it did not (or the document is invalid), 2 for bad flags.',
        ].join('\n'),
      )
      .action((file: string, opts: RunOptions) => runFile(file, opts));
  },
};
