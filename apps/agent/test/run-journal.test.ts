import { appendFile, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_LOG_FILE, RunJournal, type RunRecord } from '../src/jobs/run-journal.js';
import { runRecordsOnDisk } from './helpers/run-log.js';
import { tempDirs } from './helpers/temp-dir.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const JOB = {
  jobId: 'j',
  agentId: 'agt',
  workflow: 'name: t',
  inputs: {},
  completedSteps: {},
  issuedAt: '2026-01-01T00:00:00.000Z',
};

const accepted = (runId: string): RunRecord => ({
  runId,
  jobId: `job-${runId}`,
  acceptedAt: new Date().toISOString(),
  state: 'accepted',
  job: { ...JOB, runId },
  sealedSecrets: 'sealed',
});
const finished = (record: RunRecord): RunRecord => ({
  ...record,
  state: 'finished',
  result: { state: 'succeeded', exitCode: 0 },
  finishedAt: new Date().toISOString(),
  sealedSecrets: undefined,
});

async function opened(dataDir: string): Promise<RunJournal> {
  const journal = new RunJournal(dataDir);
  await journal.init();
  return journal;
}

const lineCount = async (dataDir: string): Promise<number> =>
  (await readFile(join(dataDir, RUN_LOG_FILE), 'utf8')).split('\n').filter((l) => l !== '').length;

describe('run journal (runs.jsonl)', () => {
  it('reads the "CODE: message" result of an agent before protocol version 2 as a failure, never as unreadable', async () => {
    const dataDir = await dirs.make();
    const old = {
      runId: 'old',
      jobId: 'j',
      acceptedAt: '',
      state: 'finished',
      result: { state: 'failed', exitCode: 3, error: 'STEP_FAILED: exit code 3' },
    };
    await writeFile(join(dataDir, RUN_LOG_FILE), `${JSON.stringify(old)}\n`);
    const journal = await opened(dataDir);
    // an unreadable record would be kept as merely `accepted`, and the run reported interrupted
    expect(await journal.get('old')).toMatchObject({
      state: 'finished',
      result: {
        state: 'failed',
        exitCode: 3,
        error: { code: 'STEP_FAILED', message: 'exit code 3', retryable: false },
      },
    });
    await journal.close();
  });

  it('keeps accepted and finished runs across a restart; only unfinished ones are resumed', async () => {
    const dataDir = await dirs.make();
    const journal = await opened(dataDir);
    const a = accepted('a');
    const b = accepted('b');
    await Promise.all([journal.put(a), journal.put(b)]);
    await journal.put(finished(b));
    await journal.close();

    const again = await opened(dataDir);
    expect(await again.get('a')).toEqual(a);
    expect(await again.get('b')).toMatchObject({ state: 'finished', result: { state: 'succeeded' } });
    expect((await again.unfinished()).map((r) => r.runId)).toEqual(['a']);
    expect(await again.get('never')).toBeUndefined();
    // the rewrite at start keeps one line per run, and a finished run without its job
    expect(await lineCount(dataDir)).toBe(2);
    const onDisk = await runRecordsOnDisk(dataDir);
    expect(onDisk.get('b')).not.toHaveProperty('job');
    expect(onDisk.get('a')).toHaveProperty('job');
    await again.close();
  });

  it('a line torn by a crash is dropped; the runs before it stay, and appends go on after it', async () => {
    const dataDir = await dirs.make();
    const journal = await opened(dataDir);
    await journal.put(accepted('whole'));
    await journal.close();
    await appendFile(join(dataDir, RUN_LOG_FILE), '{"runId":"torn","jobId":"j","accep');

    const again = await opened(dataDir);
    expect(await again.get('whole')).toMatchObject({ state: 'accepted' });
    expect(await again.get('torn')).toBeUndefined();
    await again.put(accepted('next'));
    await again.close();
    expect([...(await runRecordsOnDisk(dataDir)).keys()].sort()).toEqual(['next', 'whole']);
  });

  it('a line it cannot read still proves its run was accepted', async () => {
    const dataDir = await dirs.make();
    await writeFile(join(dataDir, RUN_LOG_FILE), `${JSON.stringify({ runId: 'odd', state: 'weird' })}\n`);
    const journal = await opened(dataDir);
    expect(await journal.get('odd')).toMatchObject({ state: 'accepted', jobId: '' });
    await journal.close();
  });

  it('reads the per-run files of older agents; the log wins over them', async () => {
    const dataDir = await dirs.make();
    await mkdir(join(dataDir, 'runs'));
    await writeFile(join(dataDir, 'runs', 'old.json'), JSON.stringify(accepted('old')));
    await writeFile(join(dataDir, 'runs', 'done.json'), JSON.stringify(accepted('done')));
    await writeFile(join(dataDir, 'runs', 'garbled.json'), '{not json');
    const journal = await opened(dataDir);
    expect((await journal.unfinished()).map((r) => r.runId).sort()).toEqual(['done', 'garbled', 'old']);
    const done = await journal.get('done');
    if (done === undefined) throw new Error('done is missing');
    await journal.put(finished(done));
    await journal.close();

    const again = await opened(dataDir);
    expect((await again.unfinished()).map((r) => r.runId).sort()).toEqual(['garbled', 'old']);
    // an unreadable record still proves the run was accepted: never started again
    expect(await again.get('garbled')).toMatchObject({ state: 'accepted', jobId: '' });
    await again.close();
  });

  it('rewrites itself once superseded lines pile up, without losing a run', async () => {
    const dataDir = await dirs.make();
    const journal = await opened(dataDir);
    const runs = Array.from({ length: 2200 }, (_, i) => accepted(`r${i}`));
    await Promise.all(runs.map((r) => journal.put(r)));
    await Promise.all(runs.map((r) => journal.put(finished(r))));
    await journal.put(accepted('last'));
    await journal.close();
    // 4,401 lines were appended; a rewrite after 4,096 left one line per run, then the rest came
    expect(await lineCount(dataDir)).toBeLessThan(2600);
    const again = await opened(dataDir);
    expect((await again.unfinished()).map((r) => r.runId)).toEqual(['last']);
    expect(await again.get('r2199')).toMatchObject({ state: 'finished' });
    await again.close();
  });

  it('a failed write rejects its puts and keeps nothing of them; the next put repairs the log', async () => {
    const dataDir = await dirs.make();
    const before = await opened(dataDir);
    await before.put(accepted('kept'));
    await before.close();
    const journal = await opened(dataDir);
    // the log cannot be opened for appending: a directory stands where the file was
    await rm(join(dataDir, RUN_LOG_FILE));
    await mkdir(join(dataDir, RUN_LOG_FILE));
    await expect(journal.put(accepted('lost'))).rejects.toThrow(/EISDIR/);
    expect(await journal.get('lost')).toBeUndefined();
    await rmdir(join(dataDir, RUN_LOG_FILE));
    await journal.put(accepted('after'));
    await journal.close();
    expect([...(await runRecordsOnDisk(dataDir)).keys()].sort()).toEqual(['after', 'kept']);
  });
});
