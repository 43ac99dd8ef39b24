import { readFile } from 'node:fs/promises';
import { stepCatalogue } from '@flotilla/steps/catalogue';
import { validateWorkflow } from '@flotilla/workflow';
import type {
  CompiledWorkflow,
  InputSpec,
  StepRegistry,
  ValidateWorkflowOptions,
  ValidationProblem,
  ValidationResult,
} from '@flotilla/workflow';
import { CliError } from './cli-error.js';

/** A workflow file read and validated locally, so mistakes show with line:column before anything runs or is sent. */
export interface WorkflowFile {
  text: string;
  workflow: CompiledWorkflow;
}

/** The file's text, or `CliError` (exit 2) naming why it cannot be read. */
export async function readWorkflowText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: unknown) => {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, 2);
  });
}

/** How a workflow file is validated. */
export interface ValidateFileOptions {
  /** @default the step catalogue (the one the server and the agent use) */
  steps?: ValidateWorkflowOptions['steps'];
  /** Variables set with `--var`: templates may read them undeclared; unread ones are warnings. */
  externalVariables?: readonly string[] | undefined;
}

/**
 * Validates a document read from `file` (JSON when it ends in `.json`, YAML otherwise) against
 * the step catalogue, or the registry `flotilla run` runs with.
 */
export function validateWorkflowFile(file: string, text: string, options: ValidateFileOptions = {}): ValidationResult {
  return validateWorkflow(text, {
    steps: options.steps ?? stepCatalogue,
    format: file.toLowerCase().endsWith('.json') ? 'json' : 'yaml',
    externalVariables: options.externalVariables,
  });
}

/** `FILE:LINE:COLUMN  error  [step]  message (CODE)` — the form editors and CI annotations parse. */
export function formatProblem(file: string, severity: 'error' | 'warning', problem: ValidationProblem): string {
  const step = problem.step === undefined ? '' : `[${problem.step}]  `;
  return `${file}:${problem.line}:${problem.column}  ${severity}  ${step}${problem.message} (${problem.code})`;
}

/**
 * Reads and validates a workflow file, printing its warnings and problems to stderr; an invalid
 * document is a `CliError` with `invalidExitCode`.
 */
export async function loadWorkflowFile(
  file: string,
  options: { invalidExitCode: number; steps?: StepRegistry; externalVariables?: readonly string[] },
): Promise<WorkflowFile> {
  const text = await readWorkflowText(file);
  const result = validateWorkflowFile(file, text, options);
  for (const p of result.warnings) console.error(formatProblem(file, 'warning', p));
  if (!result.ok) {
    for (const p of result.problems) console.error(formatProblem(file, 'error', p));
    throw new CliError(`${file} is not a valid workflow`, options.invalidExitCode);
  }
  return { text, workflow: result.workflow };
}

/** `key=value` of a flag such as `--input`, or `CliError` (exit 2). */
export function splitAssignment(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CliError(`${flag} expects key=value, got "${text}"`, 2);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** Converts flag text to a declared input type (or to the type of the variable it overrides). */
export function coerceFlagValue(flag: string, name: string, text: string, type: InputSpec['type']): unknown {
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

/** `--input k=v` flags converted to the types the workflow declares. */
export function inputsFromFlags(workflow: CompiledWorkflow, flags: readonly string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, text] of flags.map((flag) => splitAssignment('--input', flag))) {
    const spec = workflow.inputs[name];
    if (spec === undefined) throw new CliError(`--input ${name}: the workflow declares no input "${name}"`, 2);
    inputs[name] = coerceFlagValue('--input', name, text, spec.type);
  }
  return inputs;
}
