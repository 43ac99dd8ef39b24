import { rm } from 'node:fs/promises';
import { FlotillaError } from '@flotilla/protocol';
import { JournalRecordSchema, type Journal, type JournalRecord } from '@flotilla/workflow';
import { createFileJournal } from './file-journal.js';
import { JsonlLog } from './jsonl-log.js';

/** Every run's journal in one append-only file. */
export interface SharedJournal extends Journal {
  readonly path: string;
  /** Waits for pending appends and closes the file. */
  close(): Promise<void>;
}

export interface SharedJournalOptions {
  /** A directory of per-run journals (`createFileJournal`) from before, moved into the file once. */
  readonly legacyDir?: string | undefined;
  /**
   * The runs that may still be resumed (after a restart: those not recorded as finished); the
   * others are dropped when the file is opened. @default every run in the file
   */
  readonly keep?: Iterable<string> | undefined;
  /** fsync every batch of appends (SPEC §5.3). Turn off only for throwaway runs. @default true */
  readonly durable?: boolean | undefined;
}

/** Lines appended before the file is rewritten with the runs it still holds. */
const REWRITE_AFTER_LINES = 4096;

type Entry = { readonly records: JournalRecord[] } | { readonly corrupt: string };

/** One line of the file: a record of a run, or the mark of a run whose records were damaged. */
type Line = { run: string; record: JournalRecord } | { run: string; corrupt: string };

/**
 * The agent's crash-safe journal (SPEC §5.3) as one JSON-lines file for all runs, so a run costs
 * appends to an open file and no file of its own (creating, syncing the directory, reading it
 * back). Each line is `{"run":ID,"record":R}`. Appends are batched, one fdatasync per batch,
 * and resolve once durable ({@link JsonlLog}); the records of the runs still held are kept in
 * memory, so reads cost nothing.
 *
 * Runs leave the file when they are removed (the agent removes a run once its end is recorded
 * elsewhere) or not kept at open; the file is rewritten with what is left at open and after
 * every few thousand appends. Damage never turns into a guess:
 * - a line of a known run that is not a journal record makes that run unreadable
 *   (`JOURNAL_CORRUPT`), and stays so across rewrites (`{"run":ID,"corrupt":WHY}`);
 * - a line whose run cannot be told makes every run without its `run.finished` unreadable: it may
 *   have been any of them. A run absent from the file had not journaled anything, so no step of
 *   it started, and it may start afresh;
 * - a torn last line (a crash mid-write) was never acknowledged and is dropped.
 */
export async function openSharedJournal(path: string, options: SharedJournalOptions = {}): Promise<SharedJournal> {
  const runs = new Map<string, Entry>();
  const legacy =
    options.legacyDir === undefined ? new Map<string, Entry>() : await readLegacyJournals(options.legacyDir);
  const log = await JsonlLog.open(
    path,
    {
      durable: options.durable,
      snapshot: () => [...runs].flatMap(([run, entry]) => linesOf(run, entry)),
      rewriteAfter: () => REWRITE_AFTER_LINES,
    },
    (lines) => {
      let unattributed = 0;
      for (const line of lines) if (!loadLine(runs, line)) unattributed += 1;
      if (unattributed > 0) {
        const why = `the journal has ${unattributed} damaged line(s) whose run cannot be told`;
        for (const [run, entry] of runs)
          if ('records' in entry && !isFinished(entry.records)) runs.set(run, { corrupt: why });
      }
      for (const [run, entry] of legacy) if (!runs.has(run)) runs.set(run, entry);
      if (options.keep !== undefined) {
        const keep = new Set(options.keep);
        for (const run of [...runs.keys()]) if (!keep.has(run)) runs.delete(run);
      }
    },
  );
  // the rewrite at open holds the legacy runs now, durably: their old files can go
  if (options.legacyDir !== undefined && legacy.size > 0) await rm(options.legacyDir, { recursive: true, force: true });

  return {
    path,
    read(runId) {
      const entry = runs.get(runId);
      if (entry === undefined) return Promise.resolve([]);
      if ('corrupt' in entry)
        return Promise.reject(new FlotillaError('JOURNAL_CORRUPT', { detail: `run ${runId}: ${entry.corrupt}` }));
      return Promise.resolve([...entry.records]);
    },
    append(runId, record) {
      const line: Line = { run: runId, record };
      return log.append([JSON.stringify(line)], () => {
        const entry = runs.get(runId);
        if (entry === undefined) runs.set(runId, { records: [record] });
        else if ('records' in entry) entry.records.push(record);
      });
    },
    compact(runId, records) {
      // the file replays to the same run either way; the next rewrite writes the short form
      const entry = runs.get(runId);
      if (entry !== undefined && 'records' in entry) runs.set(runId, { records: [...records] });
      return Promise.resolve();
    },
    list() {
      return Promise.resolve([...runs.keys()]);
    },
    remove(runId) {
      runs.delete(runId);
      return Promise.resolve();
    },
    close: () => log.close(),
  };
}

function isFinished(records: readonly JournalRecord[]): boolean {
  return records.at(-1)?.type === 'run.finished';
}

function linesOf(run: string, entry: Entry): string[] {
  if ('corrupt' in entry) return [JSON.stringify({ run, corrupt: entry.corrupt } satisfies Line)];
  return entry.records.map((record) => JSON.stringify({ run, record } satisfies Line));
}

/** Adds one line to the state; false when the line cannot be tied to a run. */
function loadLine(runs: Map<string, Entry>, text: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // a damaged line may still name its run: the run id is the first field we write
    const run = /^\{"run":("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
    if (run === undefined) return false;
    runs.set(JSON.parse(run) as string, { corrupt: 'a journal line of the run is not JSON' });
    return true;
  }
  const { run, record, corrupt } = (json ?? {}) as { run?: unknown; record?: unknown; corrupt?: unknown };
  if (typeof run !== 'string') return false;
  const entry = runs.get(run);
  if (entry !== undefined && 'corrupt' in entry) return true;
  if (typeof corrupt === 'string') {
    runs.set(run, { corrupt });
    return true;
  }
  const parsed = JournalRecordSchema.safeParse(record);
  if (!parsed.success) runs.set(run, { corrupt: 'a journal line of the run is not a journal record' });
  else if (entry === undefined) runs.set(run, { records: [parsed.data] });
  else entry.records.push(parsed.data);
  return true;
}

/** The per-run journals of an older agent: records, or why they cannot be read. */
async function readLegacyJournals(dir: string): Promise<Map<string, Entry>> {
  const found = new Map<string, Entry>();
  const journal = createFileJournal(dir, { durable: false });
  // a missing directory lists as empty
  for (const run of await journal.list()) {
    try {
      found.set(run, { records: await journal.read(run) });
    } catch (err) {
      found.set(run, { corrupt: err instanceof Error ? err.message : String(err) });
    }
  }
  await journal.close();
  return found;
}
