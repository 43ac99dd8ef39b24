import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '@flotilla/protocol';
import { createFileJournal } from '@flotilla/steps';
import type { FileJournal } from '@flotilla/steps';
import { compactJournal, encodeJournalRecord } from '@flotilla/workflow';
import type { JournalRecord } from '@flotilla/workflow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const started = (step: string, attempt = 1): JournalRecord => ({ type: 'step.started', ts: 1, step, attempt });
const runStarted: JournalRecord = { type: 'run.started', ts: 0, runId: 'r', workflow: 'w', inputs: {} };

describe('file journal', () => {
  let dir: string;
  let journal: FileJournal;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-journal-'));
    journal = createFileJournal(join(dir, 'journal'));
  });
  afterEach(async () => {
    await journal.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('appends JSON lines that a new instance reads back', async () => {
    await journal.append('run-1', runStarted);
    await journal.append('run-1', started('a'));
    const text = await readFile(join(dir, 'journal', 'run-1.jsonl'), 'utf8');
    expect(text).toBe(encodeJournalRecord(runStarted) + encodeJournalRecord(started('a')));
    expect(await createFileJournal(join(dir, 'journal')).read('run-1')).toEqual([runStarted, started('a')]);
    expect(await journal.read('unknown')).toEqual([]);
  });

  it('keeps the order of concurrent appends (batched into shared writes)', async () => {
    const records = Array.from({ length: 200 }, (_, i) => started(`s${i}`));
    await Promise.all(records.map((r) => journal.append('run-1', r)));
    expect(await journal.read('run-1')).toEqual(records);
  });

  it('cuts a line torn by a crash before appending after it', async () => {
    await journal.append('run-1', runStarted);
    await journal.close();
    const path = join(dir, 'journal', 'run-1.jsonl');
    await writeFile(path, encodeJournalRecord(runStarted) + '{"type":"step.sta', 'utf8');
    const reopened = createFileJournal(join(dir, 'journal'));
    expect(await reopened.read('run-1')).toEqual([runStarted]);
    await reopened.append('run-1', started('a'));
    await reopened.close();
    expect(await readFile(path, 'utf8')).toBe(encodeJournalRecord(runStarted) + encodeJournalRecord(started('a')));
  });

  it('reports a damaged journal with JOURNAL_CORRUPT', async () => {
    await journal.append('run-1', runStarted);
    await writeFile(join(dir, 'journal', 'run-1.jsonl'), 'garbage\n' + encodeJournalRecord(runStarted));
    const err = await journal.read('run-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('JOURNAL_CORRUPT');
  });

  it('compacts atomically, leaving no temporary file, and appends continue after', async () => {
    const records = [runStarted, started('a', 1), started('a', 2), started('b')];
    for (const r of records) await journal.append('run-1', r);
    await journal.compact('run-1', compactJournal(records));
    await journal.append('run-1', started('c'));
    expect(await journal.read('run-1')).toEqual([runStarted, started('a', 2), started('b'), started('c')]);
    expect(await readdir(join(dir, 'journal'))).toEqual(['run-1.jsonl']);
  });

  it('lists and removes runs, whatever characters their ids contain', async () => {
    const ids = ['plain', 'with/slash', '../escape', 'dots.and~tilde', 'ünïcode'];
    for (const id of ids) await journal.append(id, runStarted);
    expect((await journal.list()).sort()).toEqual([...ids].sort());
    expect((await readdir(join(dir, 'journal'))).every((n) => !n.includes('/') && !n.startsWith('.'))).toBe(true);
    await journal.remove('with/slash');
    expect((await journal.list()).sort()).toEqual(ids.filter((i) => i !== 'with/slash').sort());
    expect(await journal.read('with/slash')).toEqual([]);
  });

  it('lists nothing when the directory does not exist yet', async () => {
    expect(await createFileJournal(join(dir, 'nope')).list()).toEqual([]);
  });
});
