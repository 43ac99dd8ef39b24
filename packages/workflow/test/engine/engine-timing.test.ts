import { describe, expect, it } from 'vitest';
import { createHarness, statuses, stepOf } from './helpers/harness.js';
import { step, workflow } from './helpers/workflows.js';

const retry = (attempts: number, delayMs = 1000, backoff: 'fixed' | 'exponential' = 'exponential', maxDelayMs = 0) => ({
  attempts,
  delayMs,
  backoff,
  maxDelayMs,
});

describe('engine: retries, timeouts, deadlines and cancellation', () => {
  it('retries a retryable failure with exponential backoff capped by max_delay', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([step('a', { type: 'flaky', config: { failures: 3 }, retry: retry(5, 1000, 'exponential', 3000) })]),
    );
    expect(stepOf(record, 'a')).toMatchObject({ status: 'succeeded', attempts: 4, outputs: { tries: 4 } });
    // the step timeouts are 300000; the retry delays are 1s, 2s, then capped at 3s
    expect(h.clock.sleeps.filter((ms) => ms !== 300_000 && ms !== 3_600_000)).toEqual([1000, 2000, 3000]);
    expect(h.log.calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    const system = h.events.flatMap((e) => (e.kind === 'log' && e.stream === 'system' ? [e.line] : []));
    expect(system).toHaveLength(3);
    expect(system[0]).toContain('attempt 1 of 5 failed (STEP_FAILED)');
  });

  it('gives up after the last attempt', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([step('a', { type: 'flaky', config: { failures: 9 }, retry: retry(3, 10, 'fixed') })]),
    );
    expect(stepOf(record, 'a')).toMatchObject({ status: 'failed', attempts: 3 });
    expect(record.status).toBe('failed');
  });

  it('never retries a failure that says retrying cannot help', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('a', { type: 'flaky', config: { failures: 1, retryable: false }, retry: retry(3), continueOnError: true }),
        step('b', { type: 'fail', config: { plain: true }, retry: retry(3) }),
      ]),
    );
    expect(stepOf(record, 'a')).toMatchObject({ status: 'failed', attempts: 1, error: { retryable: false } });
    expect(stepOf(record, 'b')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'STEP_FAILED', retryable: false },
    });
  });

  it('aborts a step at its timeout (timed_out), and retries timeouts', async () => {
    const h = createHarness();
    const record = await h.run(workflow([step('a', { type: 'hang', timeoutMs: 50, retry: retry(2, 5, 'fixed') })]));
    expect(stepOf(record, 'a')).toMatchObject({
      status: 'timed_out',
      attempts: 2,
      error: { code: 'STEP_TIMEOUT', retryable: true },
      outputs: { partial: 'so far' },
    });
    expect(record.status).toBe('failed');
    expect(h.log.count('a')).toBe(2);
  });

  it('abandons a step that ignores its abort after the grace period', async () => {
    const h = createHarness({ abortGraceMs: 2000 });
    const started = h.clock.now();
    const record = await h.run(
      workflow([step('a', { type: 'hang', timeoutMs: 100, config: { ignore_abort: true } }), step('b')]),
    );
    expect(stepOf(record, 'a').status).toBe('timed_out');
    expect(stepOf(record, 'b').status).toBe('skipped');
    expect(record.finishedAt - started).toBe(2100);
  });

  it('ends the run timed_out at its deadline, runs finally, and does not retry', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([step('a', { type: 'sleep', config: { ms: 60_000 }, retry: retry(3) }), step('b')], {
        timeoutMs: 1000,
        finally: [step('cleanup', { config: { value: '${{ run.status }}' } })],
      }),
    );
    expect(record.status).toBe('timed_out');
    expect(record.error?.code).toBe('RUN_TIMEOUT');
    expect(statuses(record)).toEqual({ a: 'timed_out', b: 'skipped', cleanup: 'succeeded' });
    expect(stepOf(record, 'a').attempts).toBe(1);
    expect(stepOf(record, 'cleanup').outputs).toEqual({ value: 'timed_out' });
  });

  it('cancels: running steps are aborted, later steps skipped, finally runs', async () => {
    const h = createHarness();
    const controller = new AbortController();
    h.events.length = 0;
    const running = h.run(
      workflow([step('a'), step('b', { type: 'hang' }), step('c')], {
        finally: [step('cleanup', { config: { value: '${{ run.status }}' } })],
      }),
      { signal: controller.signal },
    );
    await waitFor(() => h.log.count('b') === 1);
    controller.abort();
    const record = await running;
    expect(record.status).toBe('cancelled');
    expect(statuses(record)).toEqual({ a: 'succeeded', b: 'cancelled', c: 'skipped', cleanup: 'succeeded' });
    expect(stepOf(record, 'b').error?.code).toBe('CANCELLED');
    expect(stepOf(record, 'cleanup').outputs).toEqual({ value: 'cancelled' });
  });

  it('cancels a retry wait', async () => {
    const h = createHarness();
    const controller = new AbortController();
    const running = h.run(
      workflow([step('a', { type: 'flaky', config: { failures: 5 }, retry: retry(5, 60_000, 'fixed') })]),
      {
        signal: controller.signal,
      },
    );
    await waitFor(() => h.log.count('a') === 1);
    controller.abort();
    const record = await running;
    expect(record.status).toBe('cancelled');
    expect(stepOf(record, 'a')).toMatchObject({ status: 'cancelled', attempts: 1 });
  });
});

async function waitFor(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !predicate(); i++) await new Promise((r) => setImmediate(r));
  expect(predicate()).toBe(true);
}
