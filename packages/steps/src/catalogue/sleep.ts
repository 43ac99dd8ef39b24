import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { defineStepSpec } from './step-spec.js';

/** Config of the `sleep` step (SPEC §5.2). */
export const SleepConfigSchema = z.strictObject({
  duration: DurationSchema.describe(
    'How long to wait: a duration such as 500ms, 10s, 5m, 1h30m, or a number of seconds',
  ),
});
export type SleepConfig = z.output<typeof SleepConfigSchema>;

/** `sleep`: waits for `duration`; cancel and deadlines end the wait at once. */
export const sleepSpec = defineStepSpec({
  type: 'sleep',
  description: 'Wait for a duration',
  configSchema: SleepConfigSchema,
  effect: () => 'idempotent',
});
