import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '@flotilla/protocol';
import { createFileJournal, openSharedJournal, type SharedJournal, type SharedJournalOptions } from '@flotilla/steps';
import type { JournalRecord } from '@flotilla/workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const runStarted = (runId: string): JournalRecord => ({ type: 'run.started', ts: 0, runId, workflow: 'w', inputs: {} });
const started = (step: string): JournalRecord => ({ type: 'step.started', ts: 1, step, attempt: 1 });
const runFinished: JournalRecord = { type: 'run.finished', ts: 2, status: 'succeeded' };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof FlotillaError ? err.code : undefined;
}

describe('shared journal (one file for every run)', () => {
  let dir: string;
  let path: string;
  const open: SharedJournal[] = [];
  const reopen = async (options: SharedJournalOptions = {}): Promise<SharedJournal> => {
    const journal = await openSharedJournal(path, options);
    open.push(journal);
    return journal;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-shared-journal-'));
    path = join(dir, 'journal.jsonl');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((j) => j.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each run in order, durably, and a new instance reads every run back', async () => {
    const journal = await reopen();
    // two runs appending at once share writes, yet each keeps its own order
    await Promise.all([
      ...['a', 'b', 'c'].map((s) => journal.append('run-1', started(s))),
      journal.append('run-2', runStarted('run-2')),
    ]);
    await journal.append('run-2', runFinished);
    expect(await journal.read('run-1')).toEqual(['a', 'b', 'c'].map(started));
    await journal.close();
    const again = await reopen();
    expect(await again.read('run-1')).toEqual(['a', 'b', 'c'].map(started));
    expect(await again.read('run-2')).toEqual([runStarted('run-2'), runFinished]);
    expect(await again.read('unknown')).toEqual([]);
    expect((await again.list()).sort()).toEqual(['run-1', 'run-2']);
    // one file, no per-run files or leftovers of the rewrite
    expect(await readdir(dir)).toEqual(['journal.jsonl']);
  });

  it('drops a line torn by a crash, and appends after it cleanly', async () => {
    const journal = await reopen();
    await journal.append('run-1', runStarted('run-1'));
    await journal.close();
    await appendFile(path, '{"run":"run-1","record":{"type":"step.sta');
    const again = await reopen();
    expect(await again.read('run-1')).toEqual([runStarted('run-1')]);
    await again.append('run-1', started('a'));
    await again.close();
    expect(await (await reopen()).read('run-1')).toEqual([runStarted('run-1'), started('a')]);
  });

  it('makes a run with a damaged line unreadable (JOURNAL_CORRUPT), also after the file is rewritten', async () => {
    const journal = await reopen();
    await journal.append('run-1', runStarted('run-1'));
    await journal.append('run-2', runStarted('run-2'));
    await journal.close();
    await appendFile(
      path,
      '{"run":"run-1","record":{"type":"no such record"}}\n{"run":"run-2","record":{"type":"step.started"\n',
    );
    await appendFile(path, `${JSON.stringify({ run: 'run-3', record: runStarted('run-3') })}\n`);
    for (let i = 0; i < 2; i++) {
      // the second open reads what the first one rewrote
      const again = await reopen();
      expect(await codeOf(again.read('run-1'))).toBe('JOURNAL_CORRUPT');
      expect(await codeOf(again.read('run-2'))).toBe('JOURNAL_CORRUPT');
      expect(await again.read('run-3')).toEqual([runStarted('run-3')]);
      await again.close();
    }
  });

  it('a line whose run cannot be told makes every unfinished run unreadable; finished and new runs are fine', async () => {
    const journal = await reopen();
    for (const r of [runStarted('done'), runFinished]) await journal.append('done', r);
    await journal.append('open', runStarted('open'));
    await journal.close();
    await appendFile(path, 'x#garbage, no run id\n');
    const again = await reopen();
    expect(await codeOf(again.read('open'))).toBe('JOURNAL_CORRUPT');
    expect(await again.read('done')).toEqual([runStarted('done'), runFinished]);
    // a run absent from the file journaled nothing: it may start
    expect(await again.read('new')).toEqual([]);
    await again.append('new', runStarted('new'));
    expect(await again.read('new')).toEqual([runStarted('new')]);
  });

  it('keeps only the runs it is told to at open, and forgets removed runs at the next rewrite', async () => {
    const journal = await reopen();
    for (const run of ['a', 'b', 'c']) await journal.append(run, runStarted(run));
    await journal.close();
    const kept = await reopen({ keep: ['b', 'c'] });
    expect((await kept.list()).sort()).toEqual(['b', 'c']);
    expect(await kept.read('a')).toEqual([]);
    await kept.remove('c');
    expect(await kept.read('c')).toEqual([]);
    const runsInFile = async (): Promise<string[]> =>
      [
        ...new Set(
          (await readFile(path, 'utf8'))
            .split('\n')
            .filter(Boolean)
            .map((l) => (JSON.parse(l) as { run: string }).run),
        ),
      ].sort();
    expect(await runsInFile()).toEqual(['b', 'c']);
    // enough appends for a rewrite: the file then holds what is left, not the history
    for (let i = 0; i < 4100; i++) await kept.append('b', started(`s${i}`));
    expect(await runsInFile()).toEqual(['b']);
    await kept.close();
    await expect((await reopen()).read('b')).resolves.toHaveLength(4101);
  });

  it('moves the per-run journals of an older agent into the file, then removes them', async () => {
    const legacyDir = join(dir, 'journal');
    const old = createFileJournal(legacyDir);
    for (const r of [runStarted('old-1'), started('a')]) await old.append('old-1', r);
    await old.close();
    await mkdir(legacyDir, { recursive: true });
    await writeFile(join(legacyDir, 'old-2.jsonl'), 'not json\n');
    const journal = await reopen({ legacyDir });
    expect(await journal.read('old-1')).toEqual([runStarted('old-1'), started('a')]);
    expect(await codeOf(journal.read('old-2'))).toBe('JOURNAL_CORRUPT');
    expect(await readdir(dir)).toEqual(['journal.jsonl']);
    await journal.append('old-1', started('b'));
    await journal.close();
    const again = await reopen({ legacyDir });
    expect(await again.read('old-1')).toEqual([runStarted('old-1'), started('a'), started('b')]);
    expect(await codeOf(again.read('old-2'))).toBe('JOURNAL_CORRUPT');
  });
});
