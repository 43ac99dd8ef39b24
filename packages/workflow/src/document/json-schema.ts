import { z } from 'zod';
import { WorkflowDocumentSchema } from './schema.js';

let cached: Record<string, unknown> | undefined;

/**
 * JSON Schema (draft 2020-12) of the workflow document, generated from the Zod schema: for
 * editors (YAML language server) and the UI. Cross-field rules (ids, needs, names in
 * expressions, step configs) are beyond JSON Schema; `validateWorkflow` checks those.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  cached ??= z.toJSONSchema(WorkflowDocumentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return structuredClone(cached);
}
