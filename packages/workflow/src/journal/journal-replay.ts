import type { JournalRecord, RunStartedRecord, StepFinishedRecord } from './journal-record.js';

/** What the journal says about one step when a run is resumed. */
export type StepReplay =
  /** Finished: never run again; `order` is its place among finished records (rollback order). */
  | { kind: 'finished'; record: StepFinishedRecord; order: number }
  /** Started and not finished: it was in flight when the process died. */
  | { kind: 'in-flight'; attempt: number }
  /** An attempt failed and the next had not started yet: safe to try again. */
  | { kind: 'retrying'; attempt: number };

/** A run journal folded into what recovery needs. */
export interface RunReplay {
  started?: RunStartedRecord | undefined;
  finished?: Extract<JournalRecord, { type: 'run.finished' }> | undefined;
  steps: Map<string, StepReplay>;
  /** Number of finished steps; live steps continue the completion order after them. */
  finishedCount: number;
}

/** Folds the records of one run, oldest first, into per-step replay states. */
export function replayJournal(records: readonly JournalRecord[]): RunReplay {
  const replay: RunReplay = { steps: new Map(), finishedCount: 0 };
  for (const record of records) {
    switch (record.type) {
      case 'run.started':
        replay.started = record;
        break;
      case 'run.finished':
        replay.finished = record;
        break;
      case 'step.started':
        if (replay.steps.get(record.step)?.kind !== 'finished') {
          replay.steps.set(record.step, { kind: 'in-flight', attempt: record.attempt });
        }
        break;
      case 'step.retrying':
        if (replay.steps.get(record.step)?.kind !== 'finished') {
          replay.steps.set(record.step, { kind: 'retrying', attempt: record.attempt });
        }
        break;
      case 'step.finished':
        replay.steps.set(record.step, { kind: 'finished', record, order: replay.finishedCount });
        replay.finishedCount += 1;
        break;
    }
  }
  return replay;
}

/**
 * The smallest journal that replays to the same state: the run records and, per step, only
 * its last record. Order is preserved, so the completion order survives compaction.
 */
export function compactJournal(records: readonly JournalRecord[]): JournalRecord[] {
  const lastIndex = new Map<string, number>();
  records.forEach((record, index) => {
    if (record.type === 'step.started' || record.type === 'step.retrying') {
      const previous = lastIndex.get(record.step);
      // A finished record is final: later noise for the same key cannot override it.
      if (previous === undefined || records[previous]?.type !== 'step.finished') lastIndex.set(record.step, index);
    } else if (record.type === 'step.finished') {
      lastIndex.set(record.step, index);
    }
  });
  const keep = new Set(lastIndex.values());
  return records.filter(
    (record, index) => record.type === 'run.started' || record.type === 'run.finished' || keep.has(index),
  );
}
