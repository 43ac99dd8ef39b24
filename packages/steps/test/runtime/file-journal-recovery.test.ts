import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileJournal, createLocalServices, systemClock } from '@flotilla/steps';
import { createEngine } from '@flotilla/workflow';
import type { EffectClass, Journal } from '@flotilla/workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectCount, markerStep, markerWorkflow } from './fixtures/marker-workflow.js';

class CrashError extends Error {}

/** Dies (for good) right after the start record of step b is durable, before its effect. */
function dyingAfterStartOfB(inner: Journal): Journal {
  let dead = false;
  const alive = () => {
    if (dead) throw new CrashError('dead');
  };
  return {
    read: async (id) => (alive(), inner.read(id)),
    append: async (id, record) => {
      alive();
      await inner.append(id, record);
      if (record.type === 'step.started' && record.step === 'b') {
        dead = true;
        throw new CrashError('crash after the start record of b');
      }
    },
    compact: async (id, records) => (alive(), inner.compact(id, records)),
    list: async () => (alive(), inner.list()),
    remove: async (id) => (alive(), inner.remove(id)),
  };
}

describe('crash recovery with the real file journal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-recovery-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: [EffectClass, string, Record<string, number>][] = [
    ['idempotent', 'succeeded', { a: 1, b: 1, c: 1, notify: 1 }],
    ['at-most-once', 'interrupted', { a: 1, b: 0, c: 0, notify: 1 }],
  ];
  for (const [effect, status, counts] of cases) {
    it(`an ${effect} step in flight at the crash`, async () => {
      const journalDir = join(dir, `journal-${effect}`);
      const engine = (journal: Journal) =>
        createEngine({
          registry: new Map([['mark', markerStep(dir)]]),
          clock: systemClock,
          journal,
          services: createLocalServices(),
        });
      const first = createFileJournal(journalDir);
      const workflow = {
        ...markerWorkflow(effect),
        steps: markerWorkflow(effect).steps.map((s) => ({ ...s, config: { ...s.config, hang: false } })),
      };
      await expect(engine(dyingAfterStartOfB(first)).run({ runId: 'r', workflow })).rejects.toBeInstanceOf(CrashError);
      await first.close();
      // a new process: a new journal instance reading the same files
      const second = createFileJournal(journalDir);
      const record = await engine(second).run({ runId: 'r', workflow });
      await second.close();
      expect(record.status).toBe(status);
      expect(Object.fromEntries(['a', 'b', 'c', 'notify'].map((s) => [s, effectCount(dir, s)]))).toEqual(counts);
      // the finished journal is compacted: one record per step plus the run records
      const records = await createFileJournal(journalDir).read('r');
      expect(records.map((r) => r.type)).toEqual([
        'run.started',
        'step.finished',
        'step.finished',
        'step.finished',
        'step.finished',
        'run.finished',
      ]);
    });
  }
});
