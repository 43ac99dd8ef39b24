import { readFile } from 'node:fs/promises';
import { createStepRegistry } from '@flotilla/steps';
import { validateWorkflow, type CompiledWorkflow, type InputSpec, type ValidationProblem } from '@flotilla/workflow';
import { CliError } from '../../cli-error.js';

/** A workflow file read and validated locally, so mistakes show with line:column before anything is sent. */
export interface WorkflowFile {
  text: string;
  workflow: CompiledWorkflow;
}

export async function readWorkflowFile(file: string): Promise<WorkflowFile> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`, 2);
  });
  const result = validateWorkflow(text, {
    steps: createStepRegistry(),
    format: file.toLowerCase().endsWith('.json') ? 'json' : 'yaml',
  });
  const show = (severity: string, p: ValidationProblem): string =>
    `${file}:${p.line}:${p.column}  ${severity}  ${p.step === undefined ? '' : `[${p.step}]  `}${p.message} (${p.code})`;
  for (const p of result.warnings) console.error(show('warning', p));
  if (!result.ok) {
    for (const p of result.problems) console.error(show('error', p));
    throw new CliError(`${file} is not a valid workflow`, 2);
  }
  return { text, workflow: result.workflow };
}

/** `--input k=v` flags converted to the types the workflow declares. */
export function inputsFromFlags(workflow: CompiledWorkflow, flags: readonly string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new CliError(`--input expects key=value, got "${flag}"`, 2);
    const name = flag.slice(0, eq);
    const spec = workflow.inputs[name];
    if (spec === undefined) throw new CliError(`--input ${name}: the workflow declares no input "${name}"`, 2);
    inputs[name] = coerce(name, flag.slice(eq + 1), spec.type);
  }
  return inputs;
}

function coerce(name: string, text: string, type: InputSpec['type']): unknown {
  switch (type) {
    case 'string':
      return text;
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n))
        throw new CliError(`--input ${name}: "${text}" is not a number`, 2);
      return n;
    }
    case 'boolean':
      if (['true', 'yes', '1'].includes(text)) return true;
      if (['false', 'no', '0'].includes(text)) return false;
      throw new CliError(`--input ${name}: "${text}" is not true or false`, 2);
    case 'object':
    case 'array':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new CliError(`--input ${name}: expected a JSON ${type}`, 2);
      }
  }
}
