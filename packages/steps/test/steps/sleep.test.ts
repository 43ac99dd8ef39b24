import { describe, expect, it } from 'vitest';
import { SleepConfigSchema, sleepStep } from '@flotilla/steps';
import { StepError } from '@flotilla/workflow';
import { makeContext } from '../helpers/context.js';

describe('sleep step', () => {
  it('parses durations as text or seconds and is idempotent', () => {
    expect(SleepConfigSchema.parse({ duration: '1m30s' }).duration).toBe(90_000);
    expect(SleepConfigSchema.parse({ duration: 0.25 }).duration).toBe(250);
    expect(SleepConfigSchema.safeParse({ duration: 'soon' }).success).toBe(false);
    expect(SleepConfigSchema.safeParse({ duration: '1s', extra: 1 }).success).toBe(false);
    expect(sleepStep.effect(SleepConfigSchema.parse({ duration: '1s' }))).toBe('idempotent');
  });

  it('waits for the duration', async () => {
    const { ctx } = makeContext(SleepConfigSchema.parse({ duration: '120ms' }));
    const started = performance.now();
    expect((await sleepStep.run(ctx)).outputs).toEqual({ slept_ms: 120 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('ends at once with CANCELLED on abort, or with the engine’s StepError', async () => {
    const cancelled = makeContext(SleepConfigSchema.parse({ duration: '1h' }));
    const started = performance.now();
    const sleeping = sleepStep.run(cancelled.ctx);
    setTimeout(() => {
      cancelled.controller.abort();
    }, 20);
    await expect(sleeping).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(performance.now() - started).toBeLessThan(1000);

    const timedOut = makeContext(SleepConfigSchema.parse({ duration: '1h' }));
    timedOut.controller.abort(new StepError('STEP_TIMEOUT', 'deadline'));
    await expect(sleepStep.run(timedOut.ctx)).rejects.toMatchObject({ code: 'STEP_TIMEOUT' });
  });
});
