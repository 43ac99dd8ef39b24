import { FlotillaError } from '@flotilla/protocol';
import {
  compactJournal,
  createMemoryJournal,
  decodeJournal,
  encodeJournalRecord,
  replayJournal,
} from '@flotilla/workflow';
import type { JournalRecord } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';

const finished = (step: string, ts: number, status: 'succeeded' | 'failed' = 'succeeded'): JournalRecord => ({
  type: 'step.finished',
  ts,
  step,
  name: step,
  stepType: 'command',
  phase: 'main',
  attempt: 1,
  status,
  outputs: { n: ts },
  startedAt: ts - 1,
});

const records: JournalRecord[] = [
  { type: 'run.started', ts: 1, runId: 'r', workflow: 'w', inputs: { env: 'qa' } },
  { type: 'step.started', ts: 2, step: 'a', attempt: 1 },
  {
    type: 'step.retrying',
    ts: 3,
    step: 'a',
    attempt: 1,
    error: { code: 'STEP_FAILED', message: 'x', retryable: true },
  },
  { type: 'step.started', ts: 4, step: 'a', attempt: 2 },
  finished('a', 5),
  { type: 'step.started', ts: 6, step: 'b', attempt: 1 },
  { type: 'step.started', ts: 7, step: 'c', attempt: 1 },
  {
    type: 'step.retrying',
    ts: 8,
    step: 'c',
    attempt: 1,
    error: { code: 'STEP_TIMEOUT', message: 'slow', retryable: true },
  },
  finished('d', 9),
];

describe('journal format', () => {
  it('round-trips records as JSON lines', () => {
    const text = records.map(encodeJournalRecord).join('');
    expect(text.split('\n')).toHaveLength(records.length + 1);
    expect(decodeJournal(text)).toEqual({ records, validLength: text.length });
  });

  it('drops a torn last line and reports where the valid part ends', () => {
    const text = records.slice(0, 3).map(encodeJournalRecord).join('');
    const torn = text + '{"type":"step.fin';
    expect(decodeJournal(torn)).toEqual({ records: records.slice(0, 3), validLength: text.length });
  });

  it('refuses a damaged line in the middle with JOURNAL_CORRUPT', () => {
    const lines = records.slice(0, 3).map(encodeJournalRecord);
    for (const bad of ['not json\n', '{"type":"nope","ts":1}\n']) {
      const err = (() => {
        try {
          decodeJournal(lines[0]! + bad + lines[1]!);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(FlotillaError);
      expect((err as FlotillaError).code).toBe('JOURNAL_CORRUPT');
    }
  });

  it('replays each step to finished, in flight or retrying', () => {
    const replay = replayJournal(records);
    expect(replay.started?.inputs).toEqual({ env: 'qa' });
    expect(replay.finished).toBeUndefined();
    expect(replay.steps.get('a')).toMatchObject({ kind: 'finished', order: 0 });
    expect(replay.steps.get('b')).toEqual({ kind: 'in-flight', attempt: 1 });
    expect(replay.steps.get('c')).toEqual({ kind: 'retrying', attempt: 1 });
    expect(replay.steps.get('d')).toMatchObject({ kind: 'finished', order: 1 });
    expect(replay.finishedCount).toBe(2);
  });

  it('compaction keeps one record per step and replays to the same state', () => {
    const compacted = compactJournal(records);
    expect(compacted.map((r) => `${r.type}:${'step' in r ? r.step : ''}`)).toEqual([
      'run.started:',
      'step.finished:a',
      'step.started:b',
      'step.retrying:c',
      'step.finished:d',
    ]);
    const before = replayJournal(records);
    const after = replayJournal(compacted);
    expect(after.steps).toEqual(before.steps);
    expect(after.started).toEqual(before.started);
  });

  it('the memory journal keeps runs apart and compacts atomically', async () => {
    const journal = createMemoryJournal();
    for (const r of records) await journal.append('r1', r);
    await journal.append('r2', records[0]!);
    expect(await journal.read('r1')).toEqual(records);
    expect((await journal.list()).sort()).toEqual(['r1', 'r2']);
    await journal.compact('r1', compactJournal(records));
    expect(await journal.read('r1')).toHaveLength(5);
    await journal.remove('r2');
    expect(await journal.read('r2')).toEqual([]);
    expect(await journal.list()).toEqual(['r1']);
  });
});
