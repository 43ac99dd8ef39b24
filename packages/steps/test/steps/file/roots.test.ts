import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileCopyStep } from '../../../src/steps/file/copy.js';
import { fileDeleteStep } from '../../../src/steps/file/delete.js';
import { fileMoveStep } from '../../../src/steps/file/move.js';
import { fileReadStep } from '../../../src/steps/file/read.js';
import { fileWriteStep } from '../../../src/steps/file/write.js';
import { createFileFixture } from './fixture.js';
import type { FileFixture } from './fixture.js';

let fx: FileFixture;
beforeEach(async () => {
  fx = await createFileFixture();
  await writeFile(path.join(fx.outside, 'secret.txt'), 'secret');
});
afterEach(() => fx.cleanup());

describe('file roots confinement', () => {
  it('denies paths outside the roots, absolute or through ..', async () => {
    for (const p of [
      path.join(fx.outside, 'secret.txt'),
      path.join(fx.root, '..', 'outside', 'secret.txt'),
      '/etc/hostname',
    ]) {
      expect((await fx.fail(fileReadStep, { path: p })).code).toBe('POLICY_DENIED');
    }
    const write = await fx.fail(fileWriteStep, { path: path.join(fx.root, '../outside/new.txt'), content: 'x' });
    expect(write.code).toBe('POLICY_DENIED');
  });

  it('does not reveal whether a file outside the roots exists', async () => {
    expect((await fx.fail(fileReadStep, { path: path.join(fx.outside, 'missing.txt') })).code).toBe('POLICY_DENIED');
  });

  it('denies a symlink inside the root that points outside', async () => {
    await symlink(path.join(fx.outside, 'secret.txt'), path.join(fx.root, 'link.txt'));
    await symlink(fx.outside, path.join(fx.root, 'dirlink'));
    expect((await fx.fail(fileReadStep, { path: path.join(fx.root, 'link.txt') })).code).toBe('POLICY_DENIED');
    expect((await fx.fail(fileReadStep, { path: path.join(fx.root, 'dirlink', 'secret.txt') })).code).toBe(
      'POLICY_DENIED',
    );
    const overwrite = await fx.fail(fileWriteStep, {
      path: path.join(fx.root, 'link.txt'),
      content: 'pwned',
      overwrite: true,
    });
    expect(overwrite.code).toBe('POLICY_DENIED');
    const viaDir = await fx.fail(fileWriteStep, {
      path: path.join(fx.root, 'dirlink', 'new.txt'),
      content: 'x',
      mkdirs: true,
    });
    expect(viaDir.code).toBe('POLICY_DENIED');
    const copyOut = await fx.fail(fileCopyStep, {
      src: path.join(fx.root, 'link.txt'),
      dest: path.join(fx.root, 'copy.txt'),
    });
    expect(copyOut.code).toBe('POLICY_DENIED');
    expect(await readFile(path.join(fx.outside, 'secret.txt'), 'utf8')).toBe('secret');
  });

  it('allows a symlink that stays inside the root, and a root reached through a symlink', async () => {
    await mkdir(path.join(fx.root, 'real'));
    await writeFile(path.join(fx.root, 'real', 'a.txt'), 'inside');
    await symlink(path.join(fx.root, 'real'), path.join(fx.root, 'alias'));
    expect((await fx.run(fileReadStep, { path: path.join(fx.root, 'alias', 'a.txt') })).content).toBe('inside');
    const viaLinkedRoot = await fx
      .run(fileReadStep, { path: 'a.txt' }, { policy: { allowedFileRoots: [path.join(fx.root, 'alias')] } })
      .catch((err: unknown) => err);
    // Relative paths resolve against the working directory, which is not inside this root.
    expect((viaLinkedRoot as { code: string }).code).toBe('POLICY_DENIED');
    const linkedRoot = await fx.run(
      fileReadStep,
      { path: path.join(fx.root, 'real', 'a.txt') },
      { policy: { allowedFileRoots: [path.join(fx.root, 'alias')] } },
    );
    expect(linkedRoot.content).toBe('inside');
  });

  it('denies everything when no roots are allowed', async () => {
    await writeFile(path.join(fx.root, 'a.txt'), 'x');
    const err = await fx.fail(
      fileReadStep,
      { path: path.join(fx.root, 'a.txt') },
      { policy: { allowedFileRoots: [] } },
    );
    expect(err.code).toBe('POLICY_DENIED');
  });

  it('refuses to delete or move a root itself', async () => {
    expect((await fx.fail(fileDeleteStep, { path: fx.root, recursive: true })).code).toBe('POLICY_DENIED');
    expect((await fx.fail(fileMoveStep, { src: fx.root, dest: path.join(fx.root, 'x') })).code).toBe('POLICY_DENIED');
  });

  it('deletes a symlink that points outside without touching its target', async () => {
    await symlink(path.join(fx.outside, 'secret.txt'), path.join(fx.root, 'link.txt'));
    expect(await fx.run(fileDeleteStep, { path: path.join(fx.root, 'link.txt') })).toMatchObject({ deleted: true });
    expect(await readFile(path.join(fx.outside, 'secret.txt'), 'utf8')).toBe('secret');
  });
});
