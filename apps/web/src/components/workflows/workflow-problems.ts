import { FlotillaError, WorkflowProblemSchema, type WorkflowProblem } from '@flotilla/protocol';

/**
 * The validation problems a refused save carries (`422 WORKFLOW_INVALID`, `400
 * WORKFLOW_TOO_LARGE`: `errors: [{path, message, line, column, code}]`); none for other errors.
 */
export function workflowProblemsOf(err: unknown): WorkflowProblem[] {
  if (!(err instanceof FlotillaError) || err.errors === undefined) return [];
  if (err.code !== 'WORKFLOW_INVALID' && err.code !== 'WORKFLOW_TOO_LARGE') return [];
  return err.errors.flatMap((entry) => {
    const parsed = WorkflowProblemSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}
