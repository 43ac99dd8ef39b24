import type { EngineEvent, SkipReason } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { createHarness, statuses } from './helpers/harness.js';
import { step, workflow } from './helpers/workflows.js';

type Finished = Extract<EngineEvent, { kind: 'step.finished' }>;

function finished(events: readonly EngineEvent[]): Map<string, Finished> {
  return new Map(events.flatMap((e) => (e.kind === 'step.finished' ? [[e.step, e] as const] : [])));
}

function reasons(events: readonly EngineEvent[]): Record<string, SkipReason | undefined> {
  return Object.fromEntries(
    [...finished(events)].flatMap(([key, e]) => (e.status === 'skipped' ? [[key, e.skipReason]] : [])),
  );
}

async function waitFor(check: () => boolean): Promise<void> {
  // setImmediate, not timers: the virtual clock must not move while we wait
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

/**
 * What `flotilla run`'s report reads from `step.finished` beyond the run record: the tries a
 * retry policy allowed, and why a step was skipped.
 */
describe('engine: step.finished says why a step was skipped and how many tries it had', () => {
  it('carries the attempts made and allowed', async () => {
    const h = createHarness();
    await h.run(
      workflow([
        step('flaky', {
          type: 'flaky',
          config: { failures: 1 },
          retry: { attempts: 3, delayMs: 0, backoff: 'fixed', maxDelayMs: 0 },
        }),
        step('once'),
      ]),
    );
    const events = finished(h.events);
    expect(events.get('flaky')).toMatchObject({ attempts: 2, maxAttempts: 3 });
    expect(events.get('once')).toMatchObject({ attempts: 1, maxAttempts: 1 });
  });

  it('a false if: is CONDITION_FALSE with the condition', async () => {
    const h = createHarness();
    const inputs = { env: { type: 'string' as const, required: false, default: 'staging' } };
    await h.run(workflow([step('a', { condition: "inputs.env == 'production'" }), step('b')], { inputs }));
    expect(reasons(h.events)).toEqual({ a: { code: 'CONDITION_FALSE', condition: "inputs.env == 'production'" } });
  });

  it('after a failure: dependants (also through other skipped steps) are DEPENDENCY_FAILED, the others RUN_STOPPED', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow(
        [
          step('slow', { type: 'sleep', config: { ms: 10 }, needs: [] }),
          step('build', { type: 'fail', needs: [] }),
          step('test', { needs: ['build'] }),
          step('deploy', { needs: ['test'] }),
          step('docs', { needs: ['slow'] }),
        ],
        { explicitNeeds: ['slow', 'build', 'test', 'deploy', 'docs'] },
      ),
    );
    expect(statuses(record)).toMatchObject({ build: 'failed', test: 'skipped', deploy: 'skipped', docs: 'skipped' });
    expect(reasons(h.events)).toEqual({
      test: { code: 'DEPENDENCY_FAILED', step: 'build' },
      deploy: { code: 'DEPENDENCY_FAILED', step: 'build' },
      docs: { code: 'RUN_STOPPED', step: 'build' },
    });
  });

  it('names the key of a nested step that failed', async () => {
    const h = createHarness();
    await h.run(
      workflow([step('group', { type: 'parallel', tasks: [step('inner', { type: 'fail' })] }), step('after')]),
    );
    expect(reasons(h.events)).toEqual({ after: { code: 'DEPENDENCY_FAILED', step: 'group' } });
  });

  it('after a cancel: RUN_CANCELLED; at the deadline: RUN_TIMED_OUT', async () => {
    const h = createHarness();
    const controller = new AbortController();
    const running = h.run(workflow([step('a', { type: 'hang' }), step('b')]), { signal: controller.signal });
    await waitFor(() => h.log.count('a') === 1);
    controller.abort();
    await running;
    expect(reasons(h.events)).toEqual({ b: { code: 'RUN_CANCELLED' } });

    const late = createHarness();
    await late.run(workflow([step('a', { type: 'sleep', config: { ms: 60_000 } }), step('b')], { timeoutMs: 1000 }));
    expect(reasons(late.events)).toEqual({ b: { code: 'RUN_TIMED_OUT' } });
  });

  it('does not change the run record: reasons and allowed tries are on the event only', async () => {
    const h = createHarness();
    const record = await h.run(workflow([step('a', { type: 'fail' }), step('b')]));
    for (const s of record.steps) {
      expect(s).not.toHaveProperty('skipReason');
      expect(s).not.toHaveProperty('maxAttempts');
    }
  });
});
