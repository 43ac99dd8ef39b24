import type { ValidationCode } from '../document/problems.js';
import { didYouMean } from '../document/suggest.js';
import { inputValueProblem } from '../engine/run-inputs.js';
import type { InputSpec, SourceLocation, WorkflowCallSite } from '../model.js';

/** A problem with the inputs of one call, placed in the calling document. */
export interface CallInputProblem {
  code: ValidationCode;
  message: string;
  location: SourceLocation;
  path: string;
}

/**
 * Checks the inputs a call passes against the inputs the callee declares, before the run: every
 * name must be declared, literal values must have the declared type (and be in its enum), and
 * required inputs without a default must be given. Templated values are checked when the call
 * runs (by `applyInputs`, the check of every run's inputs); so is an `inputs` that is one template.
 */
export function checkCallInputs(
  site: WorkflowCallSite,
  callee: { readonly name: string; readonly inputs: Readonly<Record<string, InputSpec>> },
): CallInputProblem[] {
  if (site.inputs === undefined) return [];
  const problems: CallInputProblem[] = [];
  const declared = Object.keys(callee.inputs);
  const inputsPath = `${site.configPath}.inputs`;
  const given = new Map(site.inputs.map((input) => [input.name, input]));
  for (const input of site.inputs) {
    const spec = callee.inputs[input.name];
    if (spec === undefined || !Object.hasOwn(callee.inputs, input.name)) {
      const list = declared.length === 0 ? 'it declares none' : `declared: ${declared.join(', ')}`;
      problems.push({
        code: 'UNKNOWN_CONFIG_FIELD',
        location: input.keyLocation,
        path: `${inputsPath}.${input.name}`,
        message: `workflow "${callee.name}" has no input "${input.name}"${didYouMean(input.name, declared)} (${list})`,
      });
      continue;
    }
    const value = input.value ?? spec.default;
    if (input.templated || value === undefined || value === null) continue;
    const problem = inputValueProblem(input.name, spec, value);
    if (problem !== undefined) {
      problems.push({
        code: 'INVALID_CONFIG',
        location: input.location,
        path: `${inputsPath}.${input.name}`,
        message: `workflow "${callee.name}": ${problem}`,
      });
    }
  }
  for (const [name, spec] of Object.entries(callee.inputs)) {
    if (!spec.required || spec.default !== undefined) continue;
    const input = given.get(name);
    if (input !== undefined && (input.templated || (input.value !== undefined && input.value !== null))) continue;
    problems.push({
      code: 'MISSING_FIELD',
      location: input?.location ?? site.inputsLocation,
      path: input === undefined ? inputsPath : `${inputsPath}.${name}`,
      message: `workflow "${callee.name}" needs input "${name}" (required, no default)`,
    });
  }
  return problems;
}
