import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { defineStep } from '@flotilla/workflow';
import { abortedError } from '../process/aborted-error.js';

/** Config of the `sleep` step (SPEC §5.2). */
export const SleepConfigSchema = z.strictObject({
  duration: DurationSchema.describe(
    'How long to wait: a duration such as 500ms, 10s, 5m, 1h30m, or a number of seconds',
  ),
});
export type SleepConfig = z.output<typeof SleepConfigSchema>;

/** `sleep`: waits for `duration`; cancel and deadlines end the wait at once. */
export const sleepStep = defineStep({
  type: 'sleep',
  description: 'Wait for a duration',
  configSchema: SleepConfigSchema,
  effect: () => 'idempotent',
  async run(ctx) {
    try {
      await delay(ctx.config.duration, undefined, { signal: ctx.signal });
    } catch (err) {
      if (ctx.signal.aborted) throw abortedError(ctx.signal);
      throw err;
    }
    return { outputs: { slept_ms: ctx.config.duration } };
  },
});
