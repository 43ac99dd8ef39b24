import type { JournalRecord } from './journal-record.js';

/**
 * Durable storage of run journals, injected into the engine (STYLE rule 6). The engine awaits
 * `append` before it acts on what was recorded, so an implementation must resolve only once the
 * record would survive a crash (the file journal writes and fsyncs). A rejected `append` stops
 * the run: the engine cannot promise anything it could not record.
 */
export interface Journal {
  /** Every record of the run, oldest first; `[]` for an unknown run. A torn last record is dropped. */
  read(runId: string): Promise<JournalRecord[]>;
  append(runId: string, record: JournalRecord): Promise<void>;
  /** Atomically replaces the run's journal with `records` (compaction). */
  compact(runId: string, records: readonly JournalRecord[]): Promise<void>;
  /** Run ids that have a journal, e.g. to resume them after a restart. */
  list(): Promise<string[]>;
  remove(runId: string): Promise<void>;
}
