import { createEngine, createMemoryJournal } from '@flotilla/workflow';
import type { CompiledWorkflow, Journal, StepType } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { CrashError, crashingJournal, effectStep, World } from './helpers/crash.js';
import { statuses } from './helpers/harness.js';
import { StepLog, testSteps } from './helpers/test-steps.js';
import { VirtualClock } from './helpers/virtual-clock.js';
import { step, testServices, workflow } from './helpers/workflows.js';

function engineFor(journal: Journal, world: World, effects: Map<string, number>) {
  const clock = new VirtualClock();
  const steps: StepType[] = [
    effectStep(effects, world),
    ...testSteps(new StepLog(), clock).filter((s) => s.type === 'fail' || s.type === 'record'),
  ];
  return createEngine({
    registry: new Map(steps.map((s) => [s.type, s])),
    clock,
    journal: world.crash === undefined ? journal : crashingJournal(journal, world),
    services: testServices(),
  });
}

async function crashAndRecover(wf: CompiledWorkflow, crash: NonNullable<World['crash']>) {
  const journal = createMemoryJournal();
  const effects = new Map<string, number>();
  await expect(engineFor(journal, new World(crash), effects).run({ runId: 'r', workflow: wf })).rejects.toBeInstanceOf(
    CrashError,
  );
  const before = new Map(effects);
  const record = await engineFor(journal, new World(), effects).run({ runId: 'r', workflow: wf });
  return { record, effects, before };
}

const amo = { type: 'effect', config: { effect: 'at-most-once' } };

describe('crash recovery inside control steps', () => {
  it('a foreach resumes where it stopped: finished iterations are not repeated', async () => {
    const wf = workflow([
      step('each', { type: 'foreach', config: { items: [1, 2, 3] }, tasks: [step('work', amo)] }),
      step('after', amo),
    ]);
    const { record, effects, before } = await crashAndRecover(wf, { point: 'after-finish', step: 'each[1]/work' });
    expect(Object.fromEntries(before)).toEqual({ 'each[0]/work': 1, 'each[1]/work': 1 });
    expect(record.status).toBe('succeeded');
    expect(Object.fromEntries(effects)).toEqual({ 'each[0]/work': 1, 'each[1]/work': 1, 'each[2]/work': 1, after: 1 });
    expect(statuses(record).each).toBe('succeeded');
  });

  it('parallel branches: every branch in flight at the crash is handled by its effect class', async () => {
    const idem = { type: 'effect', config: { effect: 'idempotent' } };
    const wf = workflow([
      step('fan', { type: 'parallel', tasks: [step('x', idem), step('y', amo), step('z', amo)] }),
      step('after', amo),
    ]);
    // all three branches had started when y's process died mid-effect: x had done its effect,
    // z had not begun it; none had a finish record
    const { record, effects, before } = await crashAndRecover(wf, { point: 'after-effect', step: 'fan/y' });
    expect(Object.fromEntries(before)).toEqual({ 'fan/x': 1, 'fan/y': 1 });
    expect(record.status).toBe('interrupted');
    expect(statuses(record)).toEqual({
      'fan/x': 'succeeded',
      'fan/y': 'interrupted',
      'fan/z': 'interrupted',
      fan: 'interrupted',
      after: 'skipped',
    });
    expect(Object.fromEntries(effects)).toEqual({ 'fan/x': 2, 'fan/y': 1 });
  });

  it('rollback after a restart compensates in the original completion order, each once', async () => {
    const undo = (id: string) => step(`${id}-undo`, amo);
    const wf = workflow(
      [
        step('one', { ...amo, rollback: undo('one') }),
        step('two', { ...amo, rollback: undo('two') }),
        step('boom', { type: 'fail' }),
      ],
      { onFailure: 'rollback' },
    );
    // die right after the first compensation finished
    const { record, effects } = await crashAndRecover(wf, { point: 'after-finish', step: 'two#rollback' });
    expect(record.status).toBe('failed');
    expect(record.steps.map((s) => s.key)).toEqual(['one', 'two', 'boom', 'two#rollback', 'one#rollback']);
    expect(Object.fromEntries(effects)).toEqual({ one: 1, two: 1, 'two#rollback': 1, 'one#rollback': 1 });
  });

  it('steps nested in a finished control step stay visible and keep their rollbacks after a restart', async () => {
    const wf = workflow(
      [
        step('fan', {
          type: 'parallel',
          tasks: [
            step('x', { ...amo, rollback: step('x-undo', amo) }),
            step('z', { type: 'record', config: { value: 'zed' } }),
          ],
        }),
        step('each', {
          type: 'foreach',
          config: { items: ['p', 'q'] },
          tasks: [step('w', { ...amo, rollback: step('w-undo', amo) })],
        }),
        step('use', { type: 'record', config: { value: '${{ steps.z.outputs.value }}' } }),
        step('boom', { type: 'fail' }),
      ],
      { onFailure: 'rollback' },
    );
    const { record, effects } = await crashAndRecover(wf, { point: 'after-finish', step: 'each' });
    expect(record.steps.find((s) => s.key === 'use')?.outputs).toEqual({ value: 'zed' });
    expect(record.steps.filter((s) => s.phase === 'rollback').map((s) => s.key)).toEqual([
      'each[1]/w#rollback',
      'each[0]/w#rollback',
      'fan/x#rollback',
    ]);
    expect(Object.fromEntries(effects)).toMatchObject({ 'fan/x': 1, 'each[0]/w': 1, 'each[1]/w': 1 });
  });
});
