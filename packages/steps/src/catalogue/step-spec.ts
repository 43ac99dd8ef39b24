import type { z } from 'zod';
import type { EffectClass } from '@flotilla/workflow';

/**
 * A step type as the catalogue describes it: everything but how it runs. The config schema
 * carries the field docs (`.describe()` on each field); the server, the CLI, the agent, UI forms
 * and MCP validate configs with it. A Node runner turns a spec into a runnable `StepType`
 * (`withRunner` in `@flotilla/steps`).
 */
export interface StepSpec<Type extends string = string, Schema extends z.ZodType = z.ZodType> {
  /** The name documents use in `type:`. */
  readonly type: Type;
  /** One line for lists, completions and forms. */
  readonly description: string;
  readonly configSchema: Schema;
  /** Whether a step in flight during a crash may run again (SPEC §5.3), from its parsed config. */
  effect(config: z.output<Schema>): EffectClass;
}

/** Keeps the literal type name and the schema's type attached to `effect`'s config. */
export function defineStepSpec<const Type extends string, Schema extends z.ZodType>(
  spec: StepSpec<Type, Schema>,
): StepSpec<Type, Schema> {
  return spec;
}
