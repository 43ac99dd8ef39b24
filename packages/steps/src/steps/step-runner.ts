import type { z } from 'zod';
import type { StepContext, StepOutcome, StepType } from '@flotilla/workflow';
import type { StepSpec } from '../catalogue/step-spec.js';

/** How a step type runs on the agent (or in `flotilla run`): the Node half of a step type. */
export interface StepRunner<Config> {
  run(ctx: StepContext<Config>): Promise<StepOutcome>;
}

/**
 * Pairs a catalogue entry with its runner into the `StepType` the engine runs. The schema,
 * description and effect are the catalogue's own objects, so what the server and the CLI
 * validate is exactly what the agent parses.
 */
export function withRunner<Type extends string, Schema extends z.ZodType>(
  spec: StepSpec<Type, Schema>,
  runner: StepRunner<z.output<Schema>>,
): StepType<Schema> & { readonly type: Type } {
  return { ...spec, run: (ctx) => runner.run(ctx) };
}
