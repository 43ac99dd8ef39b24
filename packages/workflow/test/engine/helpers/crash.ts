import { defineStep } from '@flotilla/workflow';
import type { Journal, JournalRecord, StepType } from '@flotilla/workflow';
import { z } from 'zod';

/** Thrown when the simulated process dies; everything after it is dead too. */
export class CrashError extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'CrashError';
  }
}

/** The boundaries of a step at which the process can die (SPEC §5.3). */
export type CrashPoint = 'before-start' | 'after-start' | 'after-effect' | 'after-finish';
export const CRASH_POINTS: readonly CrashPoint[] = ['before-start', 'after-start', 'after-effect', 'after-finish'];

/**
 * One simulated process. Once it has crashed it writes nothing and does nothing more: the
 * journal refuses every call and effect steps refuse to act, so a test observes exactly what
 * a killed process would have left behind.
 */
export class World {
  crashed = false;

  constructor(readonly crash?: { point: CrashPoint; step: string } | { appendIndex: number; after: boolean }) {}

  die(where: string): never {
    this.crashed = true;
    throw new CrashError(where);
  }

  alive(): void {
    if (this.crashed) throw new CrashError('(already dead)');
  }
}

function matches(world: World, point: CrashPoint, record: JournalRecord): boolean {
  const crash = world.crash;
  if (crash === undefined || !('point' in crash) || crash.point !== point) return false;
  if (point === 'before-start' || point === 'after-start')
    return record.type === 'step.started' && record.step === crash.step;
  return record.type === 'step.finished' && record.step === crash.step;
}

/** Wraps a journal so the world dies at the chosen record (before or after it is durable). */
export function crashingJournal(inner: Journal, world: World): Journal {
  let appends = 0;
  return {
    async read(runId) {
      world.alive();
      return inner.read(runId);
    },
    async append(runId, record) {
      world.alive();
      const index = appends++;
      const crash = world.crash;
      if (matches(world, 'before-start', record))
        world.die(`before the start record of ${record.type === 'step.started' ? record.step : ''}`);
      if (crash !== undefined && 'appendIndex' in crash && crash.appendIndex === index && !crash.after)
        world.die(`before append #${index}`);
      await inner.append(runId, record);
      if (matches(world, 'after-start', record) || matches(world, 'after-finish', record))
        world.die(`after ${record.type}`);
      if (crash !== undefined && 'appendIndex' in crash && crash.appendIndex === index && crash.after)
        world.die(`after append #${index}`);
    },
    async compact(runId, records) {
      world.alive();
      return inner.compact(runId, records);
    },
    async list() {
      world.alive();
      return inner.list();
    },
    async remove(runId) {
      world.alive();
      return inner.remove(runId);
    },
  };
}

/**
 * A step whose effect is counted across processes (`effects`, by step key). With the
 * `after-effect` crash point the world dies right after the effect, before anything is
 * journaled about it.
 */
export function effectStep(effects: Map<string, number>, world: World): StepType {
  return defineStep({
    type: 'effect',
    description: 'a counted side effect',
    configSchema: z.object({ effect: z.enum(['idempotent', 'at-most-once']) }),
    effect: (config) => config.effect,
    run(ctx) {
      world.alive();
      effects.set(ctx.stepId, (effects.get(ctx.stepId) ?? 0) + 1);
      const crash = world.crash;
      if (crash !== undefined && 'point' in crash && crash.point === 'after-effect' && crash.step === ctx.stepId) {
        world.die(`after the effect of ${ctx.stepId}`);
      }
      return Promise.resolve({ outputs: { done: ctx.stepId, attempt: ctx.attempt } });
    },
  });
}
