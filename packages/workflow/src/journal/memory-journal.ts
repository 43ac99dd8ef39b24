import type { Journal } from './journal.js';
import { decodeJournal, encodeJournalRecord } from './journal-codec.js';
import type { JournalRecord } from './journal-record.js';

/**
 * A journal held in memory: for tests, benchmarks and runs that need no crash safety. Records
 * go through the same JSON encoding as the file journal, so what the engine reads back after
 * a "crash" is exactly what a file would have given it.
 */
export function createMemoryJournal(): Journal {
  const runs = new Map<string, string[]>();
  return {
    read(runId) {
      const lines = runs.get(runId) ?? [];
      return Promise.resolve(decodeJournal(lines.join('')).records);
    },
    append(runId, record) {
      let lines = runs.get(runId);
      if (lines === undefined) {
        lines = [];
        runs.set(runId, lines);
      }
      lines.push(encodeJournalRecord(record));
      return Promise.resolve();
    },
    compact(runId, records: readonly JournalRecord[]) {
      runs.set(runId, records.map(encodeJournalRecord));
      return Promise.resolve();
    },
    list() {
      return Promise.resolve([...runs.keys()]);
    },
    remove(runId) {
      runs.delete(runId);
      return Promise.resolve();
    },
  };
}
