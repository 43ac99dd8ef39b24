import { FlotillaError } from '@flotilla/protocol';
import type { WorkflowValidation } from '@flotilla/protocol';
import { validateWorkflow } from '@flotilla/workflow';
import type { ValidationProblem } from '@flotilla/workflow';

/** What the store keeps from a valid document besides its text. */
export interface AcceptedDocument {
  name: string;
  description: string | null;
}

/**
 * Checks a document's structure, graph and references (no step registry: step configs are
 * checked by the agent that runs them) and reports every problem with its line and column.
 */
export function validateDocument(document: string): WorkflowValidation {
  const result = validateWorkflow(document);
  return {
    ok: result.ok,
    problems: result.ok ? [] : result.problems.map(toWire),
    warnings: result.warnings.map(toWire),
  };
}

/** Accepts a document for saving, or throws `WORKFLOW_INVALID` with `errors: [{path, message, line, column, code}]`. */
export function acceptDocument(document: string): AcceptedDocument {
  const result = validateWorkflow(document);
  if (!result.ok) {
    const errors = result.problems.map(toWire);
    throw new FlotillaError('WORKFLOW_INVALID', {
      detail: `The workflow is invalid: ${errors.map((e) => `${e.line}:${e.column} ${e.path || '(document)'}: ${e.message}`).join('; ')}`,
      errors,
    });
  }
  return { name: result.workflow.name, description: result.workflow.description ?? null };
}

function toWire(problem: ValidationProblem): WorkflowValidation['problems'][number] {
  return {
    line: problem.line,
    column: problem.column,
    ...(problem.step === undefined ? {} : { step: problem.step }),
    path: problem.path,
    code: problem.code,
    message: problem.message,
  };
}
