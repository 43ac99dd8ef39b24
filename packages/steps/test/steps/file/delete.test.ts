import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileDeleteStep } from '../../../src/steps/file/delete.js';
import { createFileFixture } from './fixture.js';
import type { FileFixture } from './fixture.js';

let fx: FileFixture;
beforeEach(async () => {
  fx = await createFileFixture();
});
afterEach(() => fx.cleanup());

describe('file.delete', () => {
  it('deletes a file; a missing file is fine unless missing_ok is false', async () => {
    const target = path.join(fx.root, 'old.log');
    await writeFile(target, 'x');
    expect(await fx.run(fileDeleteStep, { path: target })).toEqual({ path: target, deleted: true });
    expect(existsSync(target)).toBe(false);
    expect(await fx.run(fileDeleteStep, { path: target })).toEqual({ path: target, deleted: false });
    expect((await fx.fail(fileDeleteStep, { path: target, missing_ok: false })).code).toBe('FILE_NOT_FOUND');
  });

  it('deletes an empty directory, and a full one only with recursive', async () => {
    await mkdir(path.join(fx.root, 'empty'));
    await fx.run(fileDeleteStep, { path: path.join(fx.root, 'empty') });
    const full = path.join(fx.root, 'full');
    await mkdir(full);
    await writeFile(path.join(full, 'x'), 'x');
    expect((await fx.fail(fileDeleteStep, { path: full })).code).toBe('STEP_FAILED');
    await fx.run(fileDeleteStep, { path: full, recursive: true });
    expect(existsSync(full)).toBe(false);
  });

  it('denies paths outside the roots', async () => {
    await writeFile(path.join(fx.outside, 'keep'), 'x');
    expect((await fx.fail(fileDeleteStep, { path: path.join(fx.root, '..', 'outside', 'keep') })).code).toBe(
      'POLICY_DENIED',
    );
    expect(existsSync(path.join(fx.outside, 'keep'))).toBe(true);
  });
});
