import type { InputSpec, ValidationProblem } from '@flotilla/workflow';

/** The inputs a document declares, or why they could not be read from it. */
export type DeclaredInputs =
  { ok: true; inputs: Record<string, InputSpec> } | { ok: false; problems: ValidationProblem[] };

/**
 * Reads a document's `inputs:` with `@flotilla/workflow`'s own validator (the one the CLI, the
 * server and agents use, without the step catalogue: only the structure matters here), so a type,
 * default, enum or `required` is understood exactly as the agent will. Loaded on demand: the
 * workflow package is a chunk of its own.
 */
export async function declaredInputs(document: string): Promise<DeclaredInputs> {
  const { validateWorkflow } = await import('@flotilla/workflow');
  const result = validateWorkflow(document);
  return result.ok ? { ok: true, inputs: result.workflow.inputs } : { ok: false, problems: result.problems };
}
