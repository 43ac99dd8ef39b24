import { readFile, stat, writeFile, chmod, symlink, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCopyStep } from '../../../src/steps/file/copy.js';
import { createFileFixture } from './fixture.js';
import type { FileFixture } from './fixture.js';

let fx: FileFixture;
let src: string;
beforeEach(async () => {
  fx = await createFileFixture();
  src = path.join(fx.root, 'app.conf');
  await writeFile(src, 'port=80\n');
  await chmod(src, 0o640);
});
afterEach(() => fx.cleanup());

describe('file.copy', () => {
  it('copies content and mode, leaving no temp file', async () => {
    const dest = path.join(fx.root, 'app.conf.bak');
    expect(await fx.run(fileCopyStep, { src, dest })).toEqual({ path: dest, size: 8, changed: true });
    expect(await readFile(dest, 'utf8')).toBe('port=80\n');
    expect((await stat(dest)).mode & 0o7777).toBe(0o640);
    expect(await fx.tempFiles()).toEqual([]);
  });

  it('is a no-op when dest already has the same bytes, FILE_EXISTS when it differs', async () => {
    const dest = path.join(fx.root, 'copy.conf');
    await fx.run(fileCopyStep, { src, dest });
    expect(await fx.run(fileCopyStep, { src, dest })).toMatchObject({ changed: false });
    await writeFile(dest, 'port=81\n');
    expect((await fx.fail(fileCopyStep, { src, dest })).code).toBe('FILE_EXISTS');
    expect(await readFile(dest, 'utf8')).toBe('port=81\n');
    await fx.run(fileCopyStep, { src, dest, overwrite: true, mode: '0600' });
    expect(await readFile(dest, 'utf8')).toBe('port=80\n');
    expect((await stat(dest)).mode & 0o7777).toBe(0o600);
    expect(await fx.tempFiles()).toEqual([]);
  });

  it('creates parent directories with mkdirs', async () => {
    const dest = path.join(fx.root, 'backup', '2024', 'app.conf');
    expect((await fx.fail(fileCopyStep, { src, dest })).code).toBe('FILE_NOT_FOUND');
    await fx.run(fileCopyStep, { src, dest, mkdirs: true });
    expect(await readFile(dest, 'utf8')).toBe('port=80\n');
  });

  it('follows a symlinked src inside the root; refuses directories, missing files and dest = src', async () => {
    await symlink(src, path.join(fx.root, 'current.conf'));
    await fx.run(fileCopyStep, { src: path.join(fx.root, 'current.conf'), dest: path.join(fx.root, 'c2.conf') });
    expect(await readFile(path.join(fx.root, 'c2.conf'), 'utf8')).toBe('port=80\n');
    await mkdir(path.join(fx.root, 'dir'));
    expect((await fx.fail(fileCopyStep, { src: path.join(fx.root, 'dir'), dest: path.join(fx.root, 'd2') })).code).toBe(
      'STEP_FAILED',
    );
    expect(
      (await fx.fail(fileCopyStep, { src: path.join(fx.root, 'nope'), dest: path.join(fx.root, 'n2') })).code,
    ).toBe('FILE_NOT_FOUND');
    expect((await fx.fail(fileCopyStep, { src, dest: path.join(fx.root, 'current.conf'), overwrite: true })).code).toBe(
      'CONFIG_INVALID',
    );
    expect((await fx.fail(fileCopyStep, { src, dest: path.join(fx.root, 'dir') })).code).toBe('FILE_EXISTS');
  });

  it('denies a dest outside the roots', async () => {
    expect((await fx.fail(fileCopyStep, { src, dest: path.join(fx.outside, 'x.conf') })).code).toBe('POLICY_DENIED');
  });
});
