import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileIfExists, replaceAtomically, writeFileAtomic } from '@flotilla/node-kit';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'flotilla-atomic-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('replaceAtomically', () => {
  it('keeps the old file and removes the temp file when filling fails half-way', async () => {
    const target = path.join(root, 'conf.txt');
    await writeFile(target, 'old');
    const failing = async (temp: string) => {
      await writeFile(temp, 'half of the new con', { flag: 'wx' });
      throw new Error('disk on fire');
    };
    await expect(replaceAtomically(target, failing, { overwrite: true })).rejects.toThrow('disk on fire');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(root)).toEqual(['conf.txt']);
  });

  it('removes the temp file when the final rename fails', async () => {
    const target = path.join(root, 'busy');
    await mkdir(target);
    await writeFile(path.join(target, 'inside'), 'x');
    await expect(
      replaceAtomically(target, (temp) => writeFile(temp, 'new', { flag: 'wx' }), { overwrite: true }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(await readdir(root)).toEqual(['busy']);
  });

  it('never replaces an existing target without overwrite, even one created after any check', async () => {
    const target = path.join(root, 'conf.txt');
    const fill = async (temp: string) => {
      await writeFile(temp, 'mine', { flag: 'wx' });
      await writeFile(target, 'theirs'); // another writer wins the race
    };
    await expect(replaceAtomically(target, fill, { overwrite: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(target, 'utf8')).toBe('theirs');
    expect(await readdir(root)).toEqual(['conf.txt']);
  });
});

describe('writeFileAtomic', () => {
  it('writes with the mode asked for, whatever the umask, and leaves no temp file', async () => {
    const target = path.join(root, 'secret');
    await writeFileAtomic(target, 'one', { mode: 0o600 });
    await writeFileAtomic(target, 'two', { mode: 0o640 });
    expect(await readFile(target, 'utf8')).toBe('two');
    expect((await stat(target)).mode & 0o777).toBe(0o640);
    expect(await readdir(root)).toEqual(['secret']);
  });

  it('overwrites what a crash left in a fixed temp file, and refuses to replace with overwrite: false', async () => {
    const target = path.join(root, 'log.jsonl');
    const tempPath = `${target}.tmp`;
    await writeFile(tempPath, 'a half-written rewrite from before a crash');
    await writeFileAtomic(target, 'state\n', { tempPath });
    expect(await readFile(target, 'utf8')).toBe('state\n');
    expect(await readdir(root)).toEqual(['log.jsonl']);
    await expect(writeFileAtomic(target, 'other', { overwrite: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(target, 'utf8')).toBe('state\n');
  });

  it('reads back with readFileIfExists, which answers undefined for a missing file', async () => {
    expect(await readFileIfExists(path.join(root, 'nope'))).toBeUndefined();
    await writeFileAtomic(path.join(root, 'x'), 'é');
    expect(await readFileIfExists(path.join(root, 'x'))).toBe('é');
  });
});
