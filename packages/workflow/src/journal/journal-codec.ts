import { FlotillaError } from '@flotilla/protocol';
import { JournalRecordSchema } from './journal-record.js';
import type { JournalRecord } from './journal-record.js';

/** One journal record as a JSON line, newline included. */
export function encodeJournalRecord(record: JournalRecord): string {
  return JSON.stringify(record) + '\n';
}

export interface DecodedJournal {
  records: JournalRecord[];
  /** Length of the text up to the end of the last complete line; a writer truncates to it. */
  validLength: number;
}

/**
 * Parses journal text. A last line without its newline is a write torn by a crash and is
 * ignored (the record was never acknowledged); any other bad line means the file was damaged,
 * which is reported rather than guessed around.
 */
export function decodeJournal(text: string): DecodedJournal {
  const end = text.lastIndexOf('\n') + 1;
  const records: JournalRecord[] = [];
  let lineNo = 0;
  for (const line of text.slice(0, end).split('\n')) {
    lineNo += 1;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new FlotillaError('JOURNAL_CORRUPT', { detail: `journal line ${lineNo} is not JSON`, cause: err });
    }
    const parsed = JournalRecordSchema.safeParse(value);
    if (!parsed.success) {
      throw new FlotillaError('JOURNAL_CORRUPT', {
        detail: `journal line ${lineNo} is not a journal record`,
        cause: parsed.error,
      });
    }
    records.push(parsed.data);
  }
  return { records, validLength: end };
}
