import { StepError } from '@flotilla/workflow';
import { alertSpec } from '../catalogue/alert.js';
import { withRunner } from './step-runner.js';

/**
 * `alert`: raises an alert in the control plane. At-most-once by default, because a crash
 * between raising and journaling would otherwise notify people twice; a document can set
 * `effect: idempotent` where a repeat is harmless.
 */
export const alertStep = withRunner(alertSpec, {
  async run(ctx) {
    const { severity, title, message, labels } = ctx.config;
    try {
      await ctx.services.raiseAlert({ severity, title, message, labels });
    } catch (err) {
      if (err instanceof StepError) throw err;
      throw new StepError(
        'STEP_FAILED',
        `could not raise the alert: ${err instanceof Error ? err.message : String(err)}`,
        {
          retryable: true,
          cause: err,
        },
      );
    }
    ctx.log.info(`alert raised: [${severity}] ${title}`);
    return { outputs: { severity, title } };
  },
});
