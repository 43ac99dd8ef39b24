import { createStepRegistry } from '@flotilla/steps';
import { validateWorkflow } from '@flotilla/workflow';
import type { StepRegistry, ValidationResult } from '@flotilla/workflow';

/** Workflow texts whose validation is kept. */
const VALIDATION_CACHE_SIZE = 64;

/** How the agent checks the workflow of an offered job before it runs it. */
export type WorkflowCheck = (text: string) => ValidationResult;

/**
 * The agent's check of an offered job's workflow: `validateWorkflow` against the step types it
 * runs. The registry's schemas are the step catalogue's own, so an invalid document gets the
 * problems the server and `flotilla validate` report (codes, lines, columns, messages). A fleet
 * runs the same few workflows over and over: each text is validated once (LRU); the compiled
 * workflow is read-only to the engine, so runs can share it.
 */
export function createWorkflowCheck(steps: StepRegistry = createStepRegistry()): WorkflowCheck {
  const validations = new Map<string, ValidationResult>();
  return (text) => {
    let result = validations.get(text);
    if (result === undefined) {
      result = validateWorkflow(text, { steps });
      if (validations.size >= VALIDATION_CACHE_SIZE) validations.delete(validations.keys().next().value as string);
    } else {
      validations.delete(text);
    }
    validations.set(text, result);
    return result;
  };
}
