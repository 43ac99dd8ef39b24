import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createFileJournal, createLocalServices, createStepRegistry, systemClock } from '@flotilla/steps';
import { createEngine, createMemoryJournal, toJUnitXml, validateWorkflow } from '@flotilla/workflow';
import type {
  CompiledWorkflow,
  EngineEvent,
  InputSpec,
  RunRecord,
  StepStatus,
  ValidationProblem,
} from '@flotilla/workflow';
import { CliError } from '../cli-error.js';
import type { CliCommand } from '../command-registry.js';

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

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

function splitAssignment(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CliError(`${flag} expects key=value, got "${text}"`, 2);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** Converts flag text to a declared input type (or to the type of the variable it overrides). */
function coerce(flag: string, name: string, text: string, type: InputSpec['type']): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        throw new CliError(`${flag} ${name}: "${text}" is not a number`, 2);
      return n;
    }
    case 'boolean':
      if (['true', 'yes', '1'].includes(text)) return true;
      if (['false', 'no', '0'].includes(text)) return false;
      throw new CliError(`${flag} ${name}: "${text}" is not true or false`, 2);
    case 'object':
    case 'array':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new CliError(`${flag} ${name}: expected a JSON ${type}`, 2);
      }
  }
}

function typeOf(value: unknown): InputSpec['type'] {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return typeof value === 'object' && value !== null ? 'object' : 'string';
}

/** Applies `--var`, `--input` and the secrets named in the document (read from the environment). */
function prepare(workflow: CompiledWorkflow, opts: RunOptions) {
  const variables = { ...workflow.variables };
  for (const [name, text] of opts.var.map((v) => splitAssignment('--var', v))) {
    variables[name] = Object.hasOwn(variables, name) ? coerce('--var', name, text, typeOf(variables[name])) : text;
  }
  const inputs: Record<string, unknown> = {};
  for (const [name, text] of opts.input.map((v) => splitAssignment('--input', v))) {
    const spec = workflow.inputs[name];
    if (spec === undefined) throw new CliError(`--input ${name}: the workflow declares no input "${name}"`, 2);
    inputs[name] = coerce('--input', name, text, spec.type);
  }
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
  return { workflow: { ...workflow, variables }, inputs, secrets };
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
    if (event.error !== undefined) console.log(`    ${event.error.code}: ${event.error.message}`);
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
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, 2);
  });
  const registry = createStepRegistry();
  const validated = validateWorkflow(text, {
    steps: registry,
    format: file.toLowerCase().endsWith('.json') ? 'json' : 'yaml',
  });
  const problem = (severity: string, p: ValidationProblem): string =>
    `${file}:${p.line}:${p.column}  ${severity}  ${p.step === undefined ? '' : `[${p.step}]  `}${p.message} (${p.code})`;
  for (const p of validated.warnings) console.error(problem('warning', p));
  if (!validated.ok) {
    for (const p of validated.problems) console.error(problem('error', p));
    throw new CliError(`${file} is not a valid workflow`, 1);
  }
  const { workflow, inputs, secrets } = prepare(validated.workflow, opts);
  const fileJournal = opts.journal === undefined ? undefined : createFileJournal(opts.journal);
  const journal = fileJournal ?? createMemoryJournal();
  const report = liveReport(opts.json === true);
  const engine = createEngine({
    registry,
    clock: systemClock,
    journal,
    services: createLocalServices(),
    onEvent: report.onEvent,
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
    record = await engine.run({ runId, workflow, inputs, secrets, signal: cancel.signal });
  } finally {
    process.removeListener('SIGINT', onSigint);
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
