import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sftpStep } from '@flotilla/steps';
import { makeContext, expectStepError } from '../../helpers/context.js';
import { startSshd } from '../../helpers/sshd.js';
import type { Sshd } from '../../helpers/sshd.js';

const sshd: Sshd | undefined = await startSshd();
/** Agent-side files (the allowed root) and the "remote" side, both on this machine. */
let local: string;
let remote: string;

afterAll(async () => {
  await sshd?.stop();
});
beforeEach(async () => {
  local = await mkdtemp(join(tmpdir(), 'flotilla-sftp-local-'));
  remote = await mkdtemp(join(tmpdir(), 'flotilla-sftp-remote-'));
});
afterEach(async () => {
  await rm(local, { recursive: true, force: true });
  await rm(remote, { recursive: true, force: true });
});

function run(config: Record<string, unknown>) {
  const s = sshd!;
  const parsed = sftpStep.configSchema.parse({
    host: s.host,
    port: s.port,
    user: s.user,
    key: s.clientKeyPath,
    ...config,
  });
  return sftpStep.run(makeContext(parsed, { policy: { allowedFileRoots: [local] } }).ctx);
}

describe.skipIf(sshd === undefined)('sftp step against a real sshd', () => {
  it('puts with the SPEC shorthand (local + remote) and gets the file back', async () => {
    await writeFile(join(local, 'a.txt'), 'payload\n');
    const put = await run({ local: join(local, 'a.txt'), remote: join(remote, 'a.txt'), mode: '0640' });
    expect(put.outputs).toMatchObject({ action: 'put', bytes: 8 });
    expect(await readFile(join(remote, 'a.txt'), 'utf8')).toBe('payload\n');
    expect((await stat(join(remote, 'a.txt'))).mode & 0o777).toBe(0o640);

    const get = await run({ action: 'get', remote: join(remote, 'a.txt'), local: join(local, 'copy.txt') });
    expect(get.outputs).toMatchObject({ action: 'get', bytes: 8 });
    expect(await readFile(join(local, 'copy.txt'), 'utf8')).toBe('payload\n');
  });

  it('runs mkdir, put, list, rename and remove in order over one connection', async () => {
    await writeFile(join(local, 'b.bin'), Buffer.alloc(70_000, 1));
    const tree = join(remote, 'x', 'y');
    const { outputs } = await run({
      operations: [
        { action: 'mkdir', remote: tree },
        { action: 'mkdir', remote: tree },
        { action: 'put', local: join(local, 'b.bin'), remote: join(tree, 'b.bin') },
        { action: 'rename', remote: join(tree, 'b.bin'), to: join(tree, 'c.bin') },
        { action: 'list', remote: tree },
        { action: 'remove', remote: join(remote, 'x'), recursive: true },
        { action: 'remove', remote: join(remote, 'x') },
      ],
    });
    const results = outputs.results as Record<string, unknown>[];
    expect(results.map((r) => r.action)).toEqual(['mkdir', 'mkdir', 'put', 'rename', 'list', 'remove', 'remove']);
    expect(results[0]?.created).toBe(true);
    expect(results[1]?.created).toBe(false);
    expect(results[2]?.bytes).toBe(70_000);
    expect(results[4]?.entries).toEqual([
      expect.objectContaining({ name: 'c.bin', type: 'file', size: 70_000, mode: '0644' }),
    ]);
    expect(results[5]?.removed).toBe(true);
    expect(results[6]?.removed).toBe(false);
    expect(existsSync(join(remote, 'x'))).toBe(false);
  });

  it('lists a directory as a single action, entries at the top level', async () => {
    await mkdir(join(remote, 'sub'));
    await writeFile(join(remote, 'f.txt'), 'x');
    const { outputs } = await run({ action: 'list', remote });
    expect((outputs.entries as { name: string; type: string }[]).map((e) => [e.name, e.type])).toEqual([
      ['f.txt', 'file'],
      ['sub', 'directory'],
    ]);
  });

  it('fails a missing remote file with STEP_FAILED, not retryable', async () => {
    const err = await expectStepError(run({ action: 'get', remote: join(remote, 'nope'), local: join(local, 'nope') }));
    expect(err.code).toBe('STEP_FAILED');
    expect(err.retryable).toBe(false);
    expect(existsSync(join(local, 'nope'))).toBe(false);
  });

  it('denies local paths outside the allowed roots', async () => {
    const err = await expectStepError(run({ action: 'get', remote: '/etc/hostname', local: join(remote, 'stolen') }));
    expect(err.code).toBe('POLICY_DENIED');
  });
});

describe('sftp config schema and effect', () => {
  const base = { host: 'h', user: 'u', key: '/k' };
  const parse = (c: Record<string, unknown>) => sftpStep.configSchema.parse({ ...base, ...c });
  it('normalises the shorthand to operations and classifies the effect', () => {
    expect(parse({ local: '/a', remote: '/b' }).operations).toEqual([{ action: 'put', local: '/a', remote: '/b' }]);
    expect(sftpStep.effect(parse({ action: 'list', remote: '/' }))).toBe('idempotent');
    expect(
      sftpStep.effect(
        parse({
          operations: [
            { action: 'get', remote: '/a', local: '/b' },
            { action: 'list', remote: '/' },
          ],
        }),
      ),
    ).toBe('idempotent');
    expect(sftpStep.effect(parse({ local: '/a', remote: '/b' }))).toBe('at-most-once');
    expect(sftpStep.effect(parse({ action: 'remove', remote: '/b' }))).toBe('at-most-once');
  });

  it('rejects incomplete or mixed forms', () => {
    expect(sftpStep.configSchema.safeParse({ ...base, action: 'rename', remote: '/a' }).success).toBe(false);
    expect(
      sftpStep.configSchema.safeParse({
        ...base,
        action: 'list',
        remote: '/',
        operations: [{ action: 'list', remote: '/' }],
      }).success,
    ).toBe(false);
    expect(sftpStep.configSchema.safeParse({ ...base, action: 'list', remote: '/', mode: '0644' }).success).toBe(false);
    expect(sftpStep.configSchema.safeParse({ ...base }).success).toBe(false);
  });
});
