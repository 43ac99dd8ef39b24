import { z } from 'zod';
import type { WorkflowCallTarget } from '../model.js';
import type { ControlType } from './schema.js';

/**
 * Config schemas of the control steps (`if`, `foreach`, `parallel`, `group`, `workflow`), which the engine
 * implements itself rather than a step type from the catalogue.
 */
export const IfConfigSchema = z.strictObject({
  condition: z.union([z.string(), z.boolean()], { error: 'must be an expression such as ${{ inputs.env == "prod" }}' }),
});

export const ForeachConfigSchema = z.strictObject({
  /** A list, or a `${{ }}` expression that yields one (templated values are checked at run time). */
  items: z.array(z.unknown(), {
    error: 'must be a list, or an expression such as ${{ inputs.hosts }} that yields one',
  }),
  /** `true` runs all elements at once; a number limits how many run at a time. @default false */
  parallel: z
    .union([z.boolean(), z.int().min(1)], { error: 'must be true, false or how many elements may run at once' })
    .optional(),
});

export const ParallelConfigSchema = z.strictObject({});

/** `type: group`: its tasks in order, every one of them even after one fails; it fails when one did. */
export const GroupConfigSchema = z.strictObject({});

/** `type: workflow`: which workflow to call (`path` or `name`, checked by `callTargetOf`) and its inputs. */
export const WorkflowCallConfigSchema = z.strictObject({
  /** A document file, relative to the calling document's file (`flotilla run` only). */
  path: z.string().min(1).optional(),
  /** A workflow by its `name:`: of the project (control plane) or of `--workflows DIR` (`flotilla run`). */
  name: z.string().min(1).optional(),
  /** A version number, with `name`; the latest version when absent. */
  version: z.int({ error: 'must be a version number' }).min(1).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});
export type WorkflowCallConfig = z.infer<typeof WorkflowCallConfigSchema>;

/** The workflow a call config names, or why it names none (a message about its config). */
export function callTargetOf(config: WorkflowCallConfig): WorkflowCallTarget | { problem: string } {
  if (config.path !== undefined && config.name !== undefined)
    return { problem: 'give either config.path (a document file) or config.name (a workflow by name), not both' };
  if (config.path !== undefined) {
    if (config.version !== undefined)
      return { problem: 'config.version goes with config.name: a file has no versions' };
    return { path: config.path };
  }
  if (config.name !== undefined) return { name: config.name, version: config.version };
  return { problem: 'a workflow step needs config.name (a workflow by name) or config.path (a document file)' };
}

export const CONTROL_CONFIG_SCHEMAS: Record<ControlType, z.ZodType> = {
  if: IfConfigSchema,
  foreach: ForeachConfigSchema,
  parallel: ParallelConfigSchema,
  group: GroupConfigSchema,
  workflow: WorkflowCallConfigSchema,
};

/** Which child-step lists each kind of step requires and accepts. */
export const CHILD_LISTS: Record<ControlType | 'step', { required: readonly string[]; allowed: readonly string[] }> = {
  if: { required: ['then'], allowed: ['then', 'else'] },
  foreach: { required: ['tasks'], allowed: ['tasks'] },
  parallel: { required: ['tasks'], allowed: ['tasks'] },
  group: { required: ['tasks'], allowed: ['tasks'] },
  workflow: { required: [], allowed: [] },
  step: { required: [], allowed: [] },
};
