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
import { CliError } from '../cli-error.js';
import type { CliCommand } from '../command-registry.js';
import { createPalette, wantsColour } from '../output/colour.js';
import { createLiveView } from '../output/live-view.js';
import { renderRunReport } from '../output/run-report.js';
import { createStepEvents } from '../output/step-events.js';
import { StepLabels } from '../output/step-labels.js';
import { documentOrder } from '../output/step-order.js';
import { coerceFlagValue, inputsFromFlags, loadWorkflowFile, splitAssignment } from '../workflow-file.js';
import { loadWorkflowCalls } from '../workflow-resolver.js';

interface RunOptions {
  var: string[];
  input: string[];
  secretEnv: string[];
  json?: boolean;
  quiet?: boolean;
  junit?: string;
  journal?: string;
  runId?: string;
  workflows?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function typeOf(value: unknown): InputSpec['type'] {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return typeof value === 'object' && value !== null ? 'object' : 'string';
}

/**
 * Applies `--var` (a declared variable is converted to its type, an undeclared one the document
 * reads is text), `--input` and the secrets named in the documents (read from the environment).
 */
function prepare(
  workflow: CompiledWorkflow,
  vars: readonly [string, string][],
  opts: RunOptions,
  secretNames: readonly string[],
) {
  const variables = { ...workflow.variables };
  // a probe document's vars are its own (`probe.vars`): --var sets one of them
  const probeVars = workflow.probe === undefined ? undefined : { ...workflow.probe.vars };
  for (const [name, text] of vars) {
    if (probeVars !== undefined) probeVars[name] = text;
    else
      variables[name] = Object.hasOwn(variables, name)
        ? coerceFlagValue('--var', name, text, typeOf(variables[name]))
        : text;
  }
  const inputs = inputsFromFlags(workflow, opts.input);
  const secrets: Record<string, string> = {};
  for (const name of secretNames) {
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

/** Fans one engine event out to several listeners. */
function fanOut(...listeners: ((event: EngineEvent) => void)[]): (event: EngineEvent) => void {
  return (event) => {
    for (const listener of listeners) listener(event);
  };
}

async function runFile(file: string, opts: RunOptions): Promise<void> {
  const registry = createStepRegistry();
  const vars = opts.var.map((v) => splitAssignment('--var', v));
  const loaded = await loadWorkflowFile(file, {
    invalidExitCode: 1,
    steps: registry,
    externalVariables: vars.map(([name]) => name),
  });
  const calls = await loadWorkflowCalls(file, loaded.workflow, {
    invalidExitCode: 1,
    steps: registry,
    workflowsDir: opts.workflows,
  });
  const { workflow, inputs, secrets } = prepare(calls.workflow, vars, opts, calls.secrets);
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
  const stepEvents = createStepEvents();
  const palette = createPalette(wantsColour(process.stdout));
  const labels = new StepLabels(workflow);
  // stdout carries only the JSON with --json, only the report with --quiet
  const silent = opts.json === true || opts.quiet === true;
  const print = (line: string): void => console.log(line);
  const engine = createEngine({
    registry,
    clock: systemClock,
    journal,
    services: createLocalServices({ launch: launcherHelper.launch }),
    onEvent: silent ? stepEvents.onEvent : fanOut(stepEvents.onEvent, createLiveView({ print, palette, labels })),
    resolveWorkflow: calls.resolveWorkflow,
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
    await writeFile(opts.junit, toJUnitXml(record, { logs: stepEvents.tails, timestamp: startedAt.toISOString() }));
  }
  const exitCode = record.status === 'succeeded' ? 0 : 1;
  if (opts.json === true) console.log(JSON.stringify(record, null, 2));
  else {
    if (opts.quiet !== true) print('');
    const report = renderRunReport(record, exitCode, {
      labels,
      order: documentOrder(workflow),
      palette,
      details: stepEvents.details,
      // the live view already showed every line
      tails: opts.quiet === true ? stepEvents.tails : undefined,
    });
    for (const line of report) print(line);
  }
  process.exitCode = exitCode;
}

/**
 * `flotilla run FILE`: validates and runs a workflow on this machine with no server, streaming
 * each step's output under it (`output/live-view.ts`) and printing a report at the end
 * (`output/run-report.ts`). Secrets named in the document's `secrets:` are read from
 * environment variables of the same name (`--secret-env NAME=VAR` reads one from another
 * variable). Exit 0 when the run succeeded, 1 otherwise, 2 for bad flags or an unreadable file.
 */
export const runCommand: CliCommand = {
  register(program) {
    program
      .command('run')
      .description('run a workflow locally (no server) and report each step')
      .argument('<file>', 'workflow document (.yaml, .yml or .json)')
      .option(
        '--var <key=value>',
        'set a variable: overrides a declared one, or defines one the document reads (repeatable)',
        collect,
        [],
      )
      .option('--input <key=value>', 'set an input, converted to its declared type (repeatable)', collect, [])
      .option(
        '--secret-env <NAME[=VAR]>',
        'read secret NAME from environment variable VAR (default: NAME) (repeatable)',
        collect,
        [],
      )
      .option('--json', 'print the run record as JSON instead of the report')
      .option('-q, --quiet', 'print only the report at the end, not the steps and their output as they run')
      .option('--junit <file>', 'also write a JUnit XML report to FILE')
      .option('--journal <dir>', 'journal the run in DIR (fsynced; a crashed run resumes with the same --run-id)')
      .option('--run-id <id>', 'the run id (default: a new one)')
      .option('--workflows <dir>', 'where `type: workflow` steps find workflows they call by name')
      .addHelpText(
        'after',
        [
          '',
          "Secrets: each name in the document's `secrets:` is read from the environment variable of the same",
          'name (a missing one is reported and left unset); --secret-env NAME=VAR reads it from VAR instead.',
          'Secret values are masked (***) in the report, the JSON record and the JUnit file.',
          '',
          "Output: each step's output streams under it as it runs (│ stdout, ! stderr), then a report: the",
          'workflow, each step with its duration, tries (⟳ 2/3) or why it was skipped, and the totals.',
          'Colour only on a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 turns it on.',
          'A --var that nothing in the document reads is reported as a warning (a likely typo).',
          '',
          'Exit status: 0 when the run succeeded, 1 when it did not (or the document is invalid), 2 for bad flags.',
        ].join('\n'),
      )
      .action((file: string, opts: RunOptions) => runFile(file, opts));
  },
};
