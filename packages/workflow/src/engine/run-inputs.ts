import { FlotillaError } from '@flotilla/protocol';
import type { InputSpec } from '../model.js';

function typeMatches(spec: InputSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * Why `value` (not null) does not fit the declared input `name`, or undefined when it does:
 * its type, then its enum.
 */
export function inputValueProblem(name: string, spec: InputSpec, value: unknown): string | undefined {
  if (!typeMatches(spec, value)) return `input "${name}" must be a ${spec.type}, got ${describe(value)}`;
  if (spec.enum !== undefined && !spec.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    return `input "${name}" must be one of ${spec.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return undefined;
}

/**
 * Applies declared defaults and checks every input (unknown names, required, type, enum)
 * before a run starts. Inputs declared without a default and not given are `null`, so
 * expressions can test for them.
 * @throws FlotillaError `INPUT_INVALID`, listing every problem.
 */
export function applyInputs(specs: Record<string, InputSpec>, given: Record<string, unknown>): Record<string, unknown> {
  const problems: { path: string; message: string }[] = [];
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name))
      problems.push({ path: `inputs.${name}`, message: `the workflow declares no input "${name}"` });
  }
  const inputs: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = given[name] ?? spec.default;
    if (value === undefined || value === null) {
      if (spec.required) problems.push({ path: `inputs.${name}`, message: `input "${name}" is required` });
      inputs[name] = null;
      continue;
    }
    const problem = inputValueProblem(name, spec, value);
    if (problem !== undefined) problems.push({ path: `inputs.${name}`, message: problem });
    inputs[name] = value;
  }
  if (problems.length > 0) {
    throw new FlotillaError('INPUT_INVALID', {
      detail: problems.map((p) => p.message).join('; '),
      errors: problems,
    });
  }
  return inputs;
}
