import { link, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileMoveStep } from '../../../src/steps/file/move.js';
import { fileRenameStep } from '../../../src/steps/file/rename.js';
import { createFileFixture } from './fixture.js';
import type { FileFixture } from './fixture.js';

let fx: FileFixture;
let src: string;
beforeEach(async () => {
  fx = await createFileFixture();
  src = path.join(fx.root, 'report.csv');
  await writeFile(src, 'a,b\n');
});
afterEach(() => fx.cleanup());

describe('file.move', () => {
  it('moves a file, and a repeat after completion succeeds without changes', async () => {
    const dest = path.join(fx.root, 'archive', 'report.csv');
    expect(await fx.run(fileMoveStep, { src, dest, mkdirs: true })).toEqual({ path: dest, changed: true });
    expect(existsSync(src)).toBe(false);
    expect(await readFile(dest, 'utf8')).toBe('a,b\n');
    expect(await fx.run(fileMoveStep, { src, dest, mkdirs: true })).toEqual({ path: dest, changed: false });
  });

  it('refuses to replace an existing dest unless overwrite', async () => {
    const dest = path.join(fx.root, 'old.csv');
    await writeFile(dest, 'old');
    expect((await fx.fail(fileMoveStep, { src, dest })).code).toBe('FILE_EXISTS');
    expect(await readFile(dest, 'utf8')).toBe('old');
    expect(existsSync(src)).toBe(true);
    await fx.run(fileMoveStep, { src, dest, overwrite: true });
    expect(await readFile(dest, 'utf8')).toBe('a,b\n');
  });

  it('finishes a move interrupted between link and unlink', async () => {
    const dest = path.join(fx.root, 'moved.csv');
    await link(src, dest);
    expect(await fx.run(fileMoveStep, { src, dest })).toEqual({ path: dest, changed: true });
    expect(existsSync(src)).toBe(false);
    expect(await readFile(dest, 'utf8')).toBe('a,b\n');
  });

  it('moves directories and symlinks (the link itself)', async () => {
    await mkdir(path.join(fx.root, 'dir'));
    await writeFile(path.join(fx.root, 'dir', 'x'), 'x');
    await fx.run(fileMoveStep, { src: path.join(fx.root, 'dir'), dest: path.join(fx.root, 'dir2') });
    expect(await readdir(path.join(fx.root, 'dir2'))).toEqual(['x']);
    await symlink(path.join(fx.outside), path.join(fx.root, 'out-link'));
    await fx.run(fileMoveStep, { src: path.join(fx.root, 'out-link'), dest: path.join(fx.root, 'out-link2') });
    expect(await readlink(path.join(fx.root, 'out-link2'))).toBe(fx.outside);
  });

  it('fails on a missing src with no dest, and denies moving out of the roots', async () => {
    expect(
      (await fx.fail(fileMoveStep, { src: path.join(fx.root, 'nope'), dest: path.join(fx.root, 'n2') })).code,
    ).toBe('FILE_NOT_FOUND');
    expect((await fx.fail(fileMoveStep, { src, dest: path.join(fx.outside, 'r.csv') })).code).toBe('POLICY_DENIED');
    expect((await fx.fail(fileMoveStep, { src: path.join(fx.outside, 'x'), dest: path.join(fx.root, 'x') })).code).toBe(
      'POLICY_DENIED',
    );
    expect(existsSync(src)).toBe(true);
  });

  it('copies then deletes across file systems', async (t) => {
    const other = '/dev/shm';
    if (!existsSync(other) || statSync(other).dev === statSync(fx.root).dev) {
      console.warn('SKIPPING cross-device move test: /dev/shm is missing or on the same file system');
      return t.skip();
    }
    const dir = await mkdtemp(path.join(other, 'flotilla-move-'));
    try {
      const dest = path.join(dir, 'report.csv');
      await fx.run(fileMoveStep, { src, dest }, { policy: { allowedFileRoots: [fx.root, dir] } });
      expect(existsSync(src)).toBe(false);
      expect(await readFile(dest, 'utf8')).toBe('a,b\n');
      expect(await fx.tempFiles(dir)).toEqual([]);
      const back = await fx.fail(
        fileRenameStep,
        { src: dest, dest: path.join(fx.root, 'back.csv') },
        { policy: { allowedFileRoots: [fx.root, dir] } },
      );
      expect(back.code).toBe('STEP_FAILED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('file.rename', () => {
  it('renames within the directory when dest is a bare name', async () => {
    const outputs = await fx.run(fileRenameStep, { src, dest: 'report-2024.csv' });
    expect(outputs).toEqual({ path: path.join(fx.root, 'report-2024.csv'), changed: true });
    expect(await readdir(fx.root)).toEqual(['report-2024.csv']);
    expect(await fx.run(fileRenameStep, { src, dest: 'report-2024.csv' })).toMatchObject({ changed: false });
  });

  it('refuses an existing dest unless overwrite and rejects unknown fields', async () => {
    await writeFile(path.join(fx.root, 'taken.csv'), 'x');
    expect((await fx.fail(fileRenameStep, { src, dest: 'taken.csv' })).code).toBe('FILE_EXISTS');
    await fx.run(fileRenameStep, { src, dest: 'taken.csv', overwrite: true });
    expect(await readFile(path.join(fx.root, 'taken.csv'), 'utf8')).toBe('a,b\n');
    expect(fileRenameStep.configSchema.safeParse({ src, dest: 'x', mkdirs: true }).success).toBe(false);
  });
});
