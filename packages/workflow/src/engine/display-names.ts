import { resolveTemplates } from '../expressions/evaluate.js';
import type { TemplateScope } from '../expressions/template-scope.js';
import { hasTemplates } from '../expressions/template-syntax.js';
import type { CompiledWorkflow } from '../model.js';

/**
 * A name or description with its `{{.X}}` and `${{ }}` placeholders resolved. Validation has
 * checked every name they read; should one still fail at run time (a type error, the outputs of
 * a step that was skipped), the text is kept as written: a label never fails a run.
 */
export function resolveDisplayName(text: string, scope: TemplateScope): string {
  if (!hasTemplates(text)) return text;
  try {
    const value = resolveTemplates(text, scope);
    if (typeof value === 'string') return value;
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
  } catch {
    return text;
  }
}

/** The workflow's name and description as a run shows them. */
export interface WorkflowDisplayNames {
  name: string;
  description?: string | undefined;
}

/**
 * The workflow's name and description resolved for a run with these inputs (defaults applied)
 * and the workflow's variables: the only names they may read, so that the control plane names a
 * job exactly as its runs name themselves.
 */
export function workflowDisplayNames(
  workflow: Pick<CompiledWorkflow, 'name' | 'description' | 'variables'>,
  inputs: Record<string, unknown>,
): WorkflowDisplayNames {
  const scope: TemplateScope = { inputs, vars: workflow.variables, secrets: {}, steps: {} };
  return {
    name: resolveDisplayName(workflow.name, scope),
    ...(workflow.description === undefined ? {} : { description: resolveDisplayName(workflow.description, scope) }),
  };
}
