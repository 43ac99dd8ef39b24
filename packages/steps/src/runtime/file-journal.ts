import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJournal, encodeJournalRecord } from '@flotilla/workflow';
import type { Journal, JournalRecord } from '@flotilla/workflow';
import { fsyncDirectory } from '@flotilla/node-kit';
import { RunFileWriter } from './run-file-writer.js';

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
 * The agent's crash-safe journal (SPEC §5.3): every append is written and fsynced before its
 * promise resolves; compaction writes a temporary file, fsyncs it, renames it over the journal
 * and fsyncs the directory, so a crash leaves either the old or the new journal, never a mix.
 * A line torn by a crash is cut off before the next append to that run.
 */
export function createFileJournal(dir: string, options: FileJournalOptions = {}): FileJournal {
  const durable = options.durable ?? true;
  const writers = new Map<string, Promise<RunFileWriter>>();
  let dirReady: Promise<void> | undefined;
  const ensureDir = (): Promise<void> => (dirReady ??= mkdir(dir, { recursive: true }).then(() => undefined));
  const pathOf = (runId: string): string => join(dir, fileNameOf(runId));

  async function openWriter(runId: string): Promise<RunFileWriter> {
    await ensureDir();
    const path = pathOf(runId);
    const existing = await readFile(path).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    const handle = await open(path, 'a');
    try {
      const validBytes = existing === undefined ? 0 : existing.lastIndexOf(0x0a) + 1;
      if (existing !== undefined && validBytes < existing.length) {
        await handle.truncate(validBytes);
        if (durable) await handle.datasync();
      }
      if (existing === undefined && durable) await fsyncDirectory(dir);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new RunFileWriter(handle, durable);
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
      const appended = (await writer).append(encodeJournalRecord(record));
      // a finished run gets no more appends: release its file descriptor
      if (record.type === 'run.finished') void appended.then(() => closeWriter(runId)).catch(() => undefined);
      return appended;
    },
    async compact(runId, records: readonly JournalRecord[]) {
      await closeWriter(runId);
      await ensureDir();
      const path = pathOf(runId);
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(records.map(encodeJournalRecord).join(''), 'utf8');
        if (durable) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
      if (durable) await fsyncDirectory(dir);
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
