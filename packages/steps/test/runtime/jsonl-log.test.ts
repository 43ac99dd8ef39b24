import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlLog } from '@flotilla/steps';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('JsonlLog', () => {
  let dir: string;
  let path: string;
  const open: JsonlLog[] = [];
  const track = (log: JsonlLog): JsonlLog => (open.push(log), log);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-jsonl-'));
    path = join(dir, 'log.jsonl');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((log) => log.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('append-only: keeps what is there, cuts a torn last line before appending, and is never rewritten', async () => {
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":', { mode: 0o600 });
    const seen: string[][] = [];
    const log = track(await JsonlLog.open(path, {}, (lines) => seen.push(lines)));
    expect(seen).toEqual([['{"a":1}', '{"a":2}']]);
    await Promise.all([log.append(['{"a":3}']), log.append(['{"a":4}', '{"a":5}'])]);
    expect(await readFile(path, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n{"a":5}\n');
    await expect(log.rewrite()).rejects.toThrow(/never rewritten/);
    expect(await readdir(dir)).toEqual(['log.jsonl']);
  });

  it('append-only: creates a missing file with the mode asked for', async () => {
    const log = track(await JsonlLog.open(path, { mode: 0o640 }));
    await log.append(['x']);
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    expect(await readFile(path, 'utf8')).toBe('x\n');
  });

  it('rewrite() replaces the file by the snapshot after the appends queued before it, applied first', async () => {
    let state = ['{"keep":0}'];
    const log = track(await JsonlLog.open(path, { snapshot: () => state }));
    expect(await readFile(path, 'utf8')).toBe('{"keep":0}\n');
    const appended = log.append(['{"keep":1}'], () => {
      state = [...state, '{"keep":1}'];
    });
    // the state changes without an append: only a rewrite makes the file follow it
    const rewritten = log.rewrite().then(async () => readFile(path, 'utf8'));
    state = ['{"dropped":true}'];
    await appended;
    expect(await rewritten).toBe('{"dropped":true}\n{"keep":1}\n');
    expect(await readdir(dir)).toEqual(['log.jsonl']);
  });
});
