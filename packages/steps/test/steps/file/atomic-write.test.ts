import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceAtomically } from '../../../src/steps/file/atomic-write.js';
import { createFileFixture } from './fixture.js';
import type { FileFixture } from './fixture.js';

let fx: FileFixture;
beforeEach(async () => {
  fx = await createFileFixture();
});
afterEach(() => fx.cleanup());

describe('replaceAtomically', () => {
  it('keeps the old file and removes the temp file when filling fails half-way', async () => {
    const target = path.join(fx.root, 'conf.txt');
    await writeFile(target, 'old');
    const failing = async (temp: string) => {
      await writeFile(temp, 'half of the new con', { flag: 'wx' });
      throw new Error('disk on fire');
    };
    await expect(replaceAtomically(target, failing, { overwrite: true })).rejects.toThrow('disk on fire');
    expect(await readFile(target, 'utf8')).toBe('old');
    expect(await readdir(fx.root)).toEqual(['conf.txt']);
  });

  it('removes the temp file when the final rename fails', async () => {
    const target = path.join(fx.root, 'busy');
    await mkdir(target);
    await writeFile(path.join(target, 'inside'), 'x');
    await expect(
      replaceAtomically(target, (temp) => writeFile(temp, 'new', { flag: 'wx' }), { overwrite: true }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/),
    });
    expect(await readdir(fx.root)).toEqual(['busy']);
  });

  it('never replaces an existing target without overwrite, even one created after any check', async () => {
    const target = path.join(fx.root, 'conf.txt');
    const fill = async (temp: string) => {
      await writeFile(temp, 'mine', { flag: 'wx' });
      await writeFile(target, 'theirs'); // another writer wins the race
    };
    await expect(replaceAtomically(target, fill, { overwrite: false })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(target, 'utf8')).toBe('theirs');
    expect(await fx.tempFiles()).toEqual([]);
  });
});
