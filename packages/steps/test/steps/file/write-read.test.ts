import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileReadStep } from '../../../src/steps/file/read.js';
import { fileWriteStep } from '../../../src/steps/file/write.js';
import { createFileFixture } from './fixture.js';
import type { FileFixture } from './fixture.js';

let fx: FileFixture;
beforeEach(async () => {
  fx = await createFileFixture();
});
afterEach(() => fx.cleanup());

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

describe('file.write', () => {
  it('writes a new file atomically and leaves no temp file', async () => {
    const target = path.join(fx.root, 'conf.txt');
    const outputs = await fx.run(fileWriteStep, { path: target, content: 'hello\n' });
    expect(outputs).toEqual({ path: target, size: 6, sha256: sha256('hello\n'), changed: true });
    expect(await readFile(target, 'utf8')).toBe('hello\n');
    expect(await fx.tempFiles()).toEqual([]);
  });

  it('refuses to replace different content unless overwrite, and repeats as a no-op', async () => {
    const target = path.join(fx.root, 'conf.txt');
    await fx.run(fileWriteStep, { path: target, content: 'v1' });
    expect(await fx.run(fileWriteStep, { path: target, content: 'v1' })).toMatchObject({ changed: false });
    const conflict = await fx.fail(fileWriteStep, { path: target, content: 'v2' });
    expect([conflict.code, conflict.retryable]).toEqual(['FILE_EXISTS', false]);
    expect(await readFile(target, 'utf8')).toBe('v1');
    expect(await fx.run(fileWriteStep, { path: target, content: 'v2', overwrite: true })).toMatchObject({
      changed: true,
    });
    expect(await readFile(target, 'utf8')).toBe('v2');
    expect(await fx.tempFiles()).toEqual([]);
  });

  it('sets the mode, and keeps the mode of a replaced file', async () => {
    const target = path.join(fx.root, 'run.sh');
    await fx.run(fileWriteStep, { path: target, content: '#!/bin/sh\n', mode: '0750' });
    expect((await stat(target)).mode & 0o7777).toBe(0o750);
    await fx.run(fileWriteStep, { path: target, content: '#!/bin/sh\ntrue\n', overwrite: true });
    expect((await stat(target)).mode & 0o7777).toBe(0o750);
    await fx.run(fileWriteStep, { path: target, content: '#!/bin/sh\ntrue\n', mode: '600' });
    expect((await stat(target)).mode & 0o7777).toBe(0o600);
  });

  it('creates parents only with mkdirs', async () => {
    const target = path.join(fx.root, 'a', 'b', 'c.txt');
    expect((await fx.fail(fileWriteStep, { path: target, content: 'x' })).code).toBe('FILE_NOT_FOUND');
    await fx.run(fileWriteStep, { path: target, content: 'x', mkdirs: true });
    expect(await readFile(target, 'utf8')).toBe('x');
  });

  it('writes base64 content as bytes', async () => {
    const bytes = Buffer.from([0, 255, 16, 32]);
    const target = path.join(fx.root, 'blob.bin');
    await fx.run(fileWriteStep, { path: target, content: bytes.toString('base64'), encoding: 'base64' });
    expect(await readFile(target)).toEqual(bytes);
    expect(fileWriteStep.configSchema.safeParse({ path: target, content: '%%%', encoding: 'base64' }).success).toBe(
      false,
    );
  });

  it('rejects unknown fields and a mode that is not octal text', () => {
    const parse = (c: Record<string, unknown>) => fileWriteStep.configSchema.safeParse(c).success;
    expect(parse({ path: '/tmp/x', content: '', colour: 'red' })).toBe(false);
    expect(parse({ path: '/tmp/x', content: '', mode: '0999' })).toBe(false);
    expect(parse({ path: '/tmp/x', content: '', mode: 644 })).toBe(false);
  });
});

describe('file.read', () => {
  it('reads content, size and sha256, as text or base64', async () => {
    const target = path.join(fx.root, 'data.txt');
    await writeFile(target, 'héllo');
    expect(await fx.run(fileReadStep, { path: target })).toEqual({
      path: target,
      content: 'héllo',
      size: Buffer.byteLength('héllo'),
      sha256: sha256('héllo'),
    });
    expect((await fx.run(fileReadStep, { path: target, encoding: 'base64' })).content).toBe(
      Buffer.from('héllo').toString('base64'),
    );
  });

  it('fails on a missing file, a directory and a file above max_bytes', async () => {
    expect((await fx.fail(fileReadStep, { path: path.join(fx.root, 'nope') })).code).toBe('FILE_NOT_FOUND');
    expect((await fx.fail(fileReadStep, { path: fx.root })).code).toBe('STEP_FAILED');
    await writeFile(path.join(fx.root, 'big.txt'), 'x'.repeat(2000));
    const big = await fx.fail(fileReadStep, { path: path.join(fx.root, 'big.txt'), max_bytes: 1000 });
    expect([big.code, big.retryable]).toEqual(['STEP_FAILED', false]);
  });
});
