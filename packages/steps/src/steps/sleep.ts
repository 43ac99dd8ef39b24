import { setTimeout as delay } from 'node:timers/promises';
import { abortedError } from '../process/aborted-error.js';
import { sleepSpec } from '../catalogue/sleep.js';
import { withRunner } from './step-runner.js';

/** `sleep`: waits for `duration`; cancel and deadlines end the wait at once. */
export const sleepStep = withRunner(sleepSpec, {
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
