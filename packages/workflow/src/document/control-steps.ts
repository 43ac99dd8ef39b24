import { z } from 'zod';
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

export const WorkflowCallConfigSchema = z.strictObject({
  name: z.string().min(1),
  /** A version number; the latest version when absent. */
  version: z.int({ error: 'must be a version number' }).min(1).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});

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
