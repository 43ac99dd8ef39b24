import { expect } from 'vitest';
import { validateWorkflow } from '@flotilla/workflow';
import type { CompiledWorkflow, ValidateWorkflowOptions, ValidationProblem } from '@flotilla/workflow';

/** Joins lines, so YAML in tests keeps exact, countable positions. */
export function yaml(...lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Validates and asserts success, returning the compiled workflow. */
export function expectValid(text: string, options?: ValidateWorkflowOptions): CompiledWorkflow {
  const result = validateWorkflow(text, options);
  if (!result.ok)
    expect.fail(
      `expected a valid workflow, got:\n${result.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`).join('\n')}`,
    );
  return result.workflow;
}

/** Validates and asserts failure, returning the problems. */
export function expectProblems(text: string, options?: ValidateWorkflowOptions): ValidationProblem[] {
  const result = validateWorkflow(text, options);
  if (result.ok) expect.fail('expected validation problems, the workflow is valid');
  return result.problems;
}

/** `line:column code` of each problem, the compact form the assertions compare. */
export function positions(problems: readonly ValidationProblem[]): string[] {
  return problems.map((p) => `${p.line}:${p.column} ${p.code}`);
}
