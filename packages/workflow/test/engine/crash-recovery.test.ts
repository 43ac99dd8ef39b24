import { createEngine, createMemoryJournal } from '@flotilla/workflow';
import type { EffectClass, Journal, RunRecord } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { CRASH_POINTS, CrashError, crashingJournal, effectStep, World } from './helpers/crash.js';
import type { CrashPoint } from './helpers/crash.js';
import { statuses } from './helpers/harness.js';
import { VirtualClock } from './helpers/virtual-clock.js';
import { step, testServices, workflow } from './helpers/workflows.js';

/** a → b → c, then `notify` in finally; only b's effect class varies. a, c, notify are at-most-once. */
function crashWorkflow(effect: EffectClass, onInterrupt: 'fail' | 'retry' = 'fail') {
  const amo = { type: 'effect', config: { effect: 'at-most-once' } };
  return workflow([step('a', amo), step('b', { type: 'effect', config: { effect }, onInterrupt }), step('c', amo)], {
    finally: [step('notify', amo)],
  });
}

/** One process: an engine on `journal`, dying as `world` says. */
function process(
  journal: Journal,
  world: World,
  effects: Map<string, number>,
  effect: EffectClass,
  onInterrupt?: 'fail' | 'retry',
) {
  const engine = createEngine({
    registry: new Map([['effect', effectStep(effects, world)]]),
    clock: new VirtualClock(),
    journal: world.crash === undefined ? journal : crashingJournal(journal, world),
    services: testServices(),
  });
  return engine.run({ runId: 'run-1', workflow: crashWorkflow(effect, onInterrupt) });
}

async function crashThenRecover(options: {
  effect: EffectClass;
  crash: NonNullable<World['crash']>;
  onInterrupt?: 'fail' | 'retry';
}): Promise<{
  record: RunRecord;
  effects: Map<string, number>;
  beforeCrash: Map<string, number>;
  finishedAtCrash: Set<string>;
}> {
  const journal = createMemoryJournal();
  const effects = new Map<string, number>();
  const crashed = await process(journal, new World(options.crash), effects, options.effect, options.onInterrupt).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(crashed).toBeInstanceOf(CrashError);
  const beforeCrash = new Map(effects);
  const finishedAtCrash = new Set(
    (await journal.read('run-1')).flatMap((r) => (r.type === 'step.finished' ? [r.step] : [])),
  );
  const record = await process(journal, new World(), effects, options.effect, options.onInterrupt);
  return { record, effects, beforeCrash, finishedAtCrash };
}

const count = (effects: Map<string, number>, step: string) => effects.get(step) ?? 0;

/** What recovery must do for a crash at each boundary of step b (SPEC §5.3). */
const EXPECTED: Record<EffectClass, Record<CrashPoint, { b: number; status: string; bStatus: string; c: number }>> = {
  idempotent: {
    'before-start': { b: 1, status: 'succeeded', bStatus: 'succeeded', c: 1 },
    'after-start': { b: 1, status: 'succeeded', bStatus: 'succeeded', c: 1 },
    'after-effect': { b: 2, status: 'succeeded', bStatus: 'succeeded', c: 1 },
    'after-finish': { b: 1, status: 'succeeded', bStatus: 'succeeded', c: 1 },
  },
  'at-most-once': {
    'before-start': { b: 1, status: 'succeeded', bStatus: 'succeeded', c: 1 },
    'after-start': { b: 0, status: 'interrupted', bStatus: 'interrupted', c: 0 },
    'after-effect': { b: 1, status: 'interrupted', bStatus: 'interrupted', c: 0 },
    'after-finish': { b: 1, status: 'succeeded', bStatus: 'succeeded', c: 1 },
  },
};

describe('crash recovery at every step boundary', () => {
  for (const effect of ['idempotent', 'at-most-once'] as const) {
    for (const point of CRASH_POINTS) {
      it(`${effect} step, crash ${point}`, async () => {
        const { record, effects } = await crashThenRecover({ effect, crash: { point, step: 'b' } });
        const expected = EXPECTED[effect][point];
        expect(record.resumed).toBe(true);
        expect(record.status).toBe(expected.status);
        expect(statuses(record).b).toBe(expected.bStatus);
        expect(count(effects, 'a')).toBe(1);
        expect(count(effects, 'b')).toBe(expected.b);
        expect(count(effects, 'c')).toBe(expected.c);
        expect(count(effects, 'notify')).toBe(1);
        if (expected.bStatus === 'interrupted') {
          expect(record.steps.find((s) => s.key === 'b')?.error?.code).toBe('INTERRUPTED');
          expect(statuses(record).c).toBe('skipped');
        }
      });
    }
  }

  it('an at-most-once step with on_interrupt: retry runs again after a crash mid-effect', async () => {
    const { record, effects } = await crashThenRecover({
      effect: 'at-most-once',
      crash: { point: 'after-effect', step: 'b' },
      onInterrupt: 'retry',
    });
    expect(record.status).toBe('succeeded');
    expect(count(effects, 'b')).toBe(2);
    expect(record.steps.find((s) => s.key === 'b')?.attempts).toBe(2);
  });

  it('a crash inside finally: the finally step is handled by its effect class too', async () => {
    const { record, effects } = await crashThenRecover({
      effect: 'idempotent',
      crash: { point: 'after-effect', step: 'notify' },
    });
    expect(record.status).toBe('interrupted');
    expect(statuses(record)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', notify: 'interrupted' });
    expect(['a', 'b', 'c', 'notify'].map((s) => count(effects, s))).toEqual([1, 1, 1, 1]);
  });

  // Exhaustive: die before and after every journal append of a clean run, recover, and check the
  // guarantees rather than a table: nothing finished runs again, nothing at-most-once runs twice,
  // and the run ends in a truthful state.
  for (const effect of ['idempotent', 'at-most-once'] as const) {
    it(`${effect}: every append, before and after, recovers truthfully`, async () => {
      const clean = createMemoryJournal();
      let appends = 0;
      const counting: Journal = { ...clean, append: (runId, record) => ((appends += 1), clean.append(runId, record)) };
      await process(counting, new World(), new Map(), effect);
      expect(appends).toBe(10); // run.started, 4 × (started, finished), run.finished
      let cases = 0;
      for (let appendIndex = 0; appendIndex < appends; appendIndex++) {
        for (const after of [false, true]) {
          const { record, effects, beforeCrash, finishedAtCrash } = await crashThenRecover({
            effect,
            crash: { appendIndex, after },
          });
          cases += 1;
          const where = `append #${appendIndex} ${after ? 'after' : 'before'}`;
          for (const s of ['a', 'c', 'notify']) expect(count(effects, s), `${s} ${where}`).toBeLessThanOrEqual(1);
          expect(count(effects, 'b'), where).toBeLessThanOrEqual(effect === 'idempotent' ? 2 : 1);
          for (const s of finishedAtCrash)
            expect(count(effects, s), `${s} finished before the crash, ${where}`).toBe(count(beforeCrash, s));
          if (record.status === 'succeeded') {
            for (const s of ['a', 'b', 'c', 'notify'])
              expect(count(effects, s), `${s} ${where}`).toBeGreaterThanOrEqual(1);
          } else {
            expect(record.status, where).toBe('interrupted');
            const interrupted = record.steps.filter((s) => s.status === 'interrupted').map((s) => s.key);
            expect(interrupted, where).toHaveLength(1);
            expect(effect === 'at-most-once' || interrupted[0] !== 'b', where).toBe(true);
            // finally still ran, unless it was the step interrupted
            if (interrupted[0] !== 'notify') expect(count(effects, 'notify'), where).toBe(1);
          }
        }
      }
      expect(cases).toBe(20);
    });
  }

  it('survives a second crash during recovery', async () => {
    const journal = createMemoryJournal();
    const effects = new Map<string, number>();
    await expect(
      process(journal, new World({ point: 'after-effect', step: 'b' }), effects, 'idempotent'),
    ).rejects.toBeInstanceOf(CrashError);
    await expect(
      process(journal, new World({ point: 'after-finish', step: 'c' }), effects, 'idempotent'),
    ).rejects.toBeInstanceOf(CrashError);
    const record = await process(journal, new World(), effects, 'idempotent');
    expect(record.status).toBe('succeeded');
    // b ran again once (idempotent, in flight at the first crash); c had finished at the second
    expect(Object.fromEntries(effects)).toEqual({ a: 1, b: 2, c: 1, notify: 1 });
    expect(record.steps.find((s) => s.key === 'b')?.attempts).toBe(2);
  });
});
