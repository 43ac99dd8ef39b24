import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '@flotilla/node-kit';
import { decodeJournal, encodeJournalRecord } from '@flotilla/workflow';
import type { Journal, JournalRecord } from '@flotilla/workflow';
import { JsonlLog } from './jsonl-log.js';

const SUFFIX = '.jsonl';

/** A journal kept as one JSON-lines file per run under a directory. */
export interface FileJournal extends Journal {
  readonly dir: string;
  /** Waits for pending appends and closes every open file. */
  close(): Promise<void>;
}

export interface FileJournalOptions {
  /** fsync every batch of appends (SPEC §5.3). Turn off only for throwaway runs. @default true */
  durable?: boolean | undefined;
}

/** Run ids become file names: everything but letters, digits, `_` and `-` is %-escaped. */
function fileNameOf(runId: string): string {
  if (runId === '') throw new RangeError('a run id cannot be empty');
  const escaped = encodeURIComponent(runId).replace(
    /[!'()*.~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return escaped + SUFFIX;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * A crash-safe journal (SPEC §5.3) for `flotilla run`: one append-only {@link JsonlLog} per run,
 * so every append is written and fsynced before its promise resolves (appends that arrive
 * together share one fdatasync), and a line torn by a crash is cut off before the next append
 * to that run; compaction replaces the file atomically, so a crash leaves either the old or the
 * new journal, never a mix.
 */
export function createFileJournal(dir: string, options: FileJournalOptions = {}): FileJournal {
  const durable = options.durable ?? true;
  const writers = new Map<string, Promise<JsonlLog>>();
  let dirReady: Promise<void> | undefined;
  const ensureDir = (): Promise<void> => (dirReady ??= mkdir(dir, { recursive: true }).then(() => undefined));
  const pathOf = (runId: string): string => join(dir, fileNameOf(runId));

  async function openWriter(runId: string): Promise<JsonlLog> {
    await ensureDir();
    return JsonlLog.open(pathOf(runId), { durable });
  }

  async function closeWriter(runId: string): Promise<void> {
    const writer = writers.get(runId);
    if (writer === undefined) return;
    writers.delete(runId);
    await (await writer).close();
  }

  return {
    dir,
    async read(runId) {
      const text = await readFile(pathOf(runId), 'utf8').catch((err: unknown) => {
        if (isMissing(err)) return '';
        throw err;
      });
      return decodeJournal(text).records;
    },
    async append(runId, record) {
      let writer = writers.get(runId);
      if (writer === undefined) {
        writer = openWriter(runId);
        writers.set(runId, writer);
        void writer.catch(() => writers.delete(runId));
      }
      const appended = (await writer).append([JSON.stringify(record)]);
      // a finished run gets no more appends: release its file descriptor
      if (record.type === 'run.finished') void appended.then(() => closeWriter(runId)).catch(() => undefined);
      return appended;
    },
    async compact(runId, records: readonly JournalRecord[]) {
      await closeWriter(runId);
      await ensureDir();
      await writeFileAtomic(pathOf(runId), records.map(encodeJournalRecord).join(''), { mode: 0o600, durable });
    },
    async list() {
      const names = await readdir(dir).catch((err: unknown) => {
        if (isMissing(err)) return [];
        throw err;
      });
      return names.filter((n) => n.endsWith(SUFFIX)).map((n) => decodeURIComponent(n.slice(0, -SUFFIX.length)));
    },
    async remove(runId) {
      await closeWriter(runId);
      await rm(pathOf(runId), { force: true });
      if (durable) await fsyncDirectory(dir).catch(() => undefined);
    },
    async close() {
      await Promise.all([...writers.keys()].map(closeWriter));
    },
  };
}
