import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sshStep } from '@flotilla/steps';
import { linesOf, makeContext, expectStepError } from '../../helpers/context.js';
import type { ContextOverrides } from '../../helpers/context.js';
import { startSshd } from '../../helpers/sshd.js';
import type { Sshd } from '../../helpers/sshd.js';

const sshd: Sshd | undefined = await startSshd();
let work: string;

afterAll(async () => {
  await sshd?.stop();
});
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'flotilla-ssh-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function start(config: Record<string, unknown>, overrides: ContextOverrides = {}) {
  const s = sshd!;
  const parsed = sshStep.configSchema.parse({ host: s.host, port: s.port, user: s.user, ...config });
  const t = makeContext(parsed, { policy: { allowedFileRoots: [work] }, ...overrides });
  return { t, result: sshStep.run(t.ctx) };
}

describe.skipIf(sshd === undefined)('ssh step against a real sshd', () => {
  it('runs a command with a key file, streaming stdout and stderr lines', async () => {
    const { t, result } = start({ key: sshd!.clientKeyPath, command: 'echo out1; echo err1 >&2; printf "out2"' });
    const { outputs } = await result;
    expect(outputs).toMatchObject({ stdout: 'out1\nout2', stderr: 'err1\n', exit_code: 0 });
    expect(linesOf(t.lines, 'stdout')).toEqual(['out1', 'out2']);
    expect(linesOf(t.lines, 'stderr')).toEqual(['err1']);
  });

  it('fails a non-zero exit with STEP_FAILED and keeps the outputs', async () => {
    const err = await expectStepError(start({ key: sshd!.clientKeyPath, command: 'echo partial; exit 3' }).result);
    expect(err.code).toBe('STEP_FAILED');
    expect(err.outputs).toMatchObject({ exit_code: 3, stdout: 'partial\n' });
  });

  it('takes the key and its passphrase from the environment (secrets), never from config text', async () => {
    const encrypted = await readFile(sshd!.encryptedKeyPath, 'utf8');
    const { t, result } = start(
      { key_env: 'DEPLOY_KEY', passphrase_env: 'DEPLOY_PASS', command: 'echo via-env' },
      { env: { DEPLOY_KEY: encrypted, DEPLOY_PASS: sshd!.passphrase } },
    );
    expect((await result).outputs.stdout).toBe('via-env\n');
    const logged = t.lines.map((l) => l.line).join('\n');
    expect(logged).not.toContain(sshd!.passphrase);
    expect(logged).not.toContain('PRIVATE KEY');
  });

  it('refuses an unset secret variable and an undecryptable key as CONFIG_INVALID', async () => {
    expect((await expectStepError(start({ key_env: 'MISSING_KEY', command: 'true' }).result)).code).toBe(
      'CONFIG_INVALID',
    );
    const wrongPass = start(
      { key: sshd!.encryptedKeyPath, passphrase_env: 'P', command: 'true' },
      { env: { P: 'wrong' } },
    );
    expect((await expectStepError(wrongPass.result)).code).toBe('CONFIG_INVALID');
  });

  it('accepts a pinned host key given as SHA256 fingerprint or as base64 key', async () => {
    const byFingerprint = start({
      key: sshd!.clientKeyPath,
      host_key: sshd!.hostKeyFingerprint,
      command: 'echo pinned',
    });
    expect((await byFingerprint.result).outputs.stdout).toBe('pinned\n');
    const byKey = start({
      key: sshd!.clientKeyPath,
      host_key: `ssh-ed25519 ${sshd!.hostKeyBase64}`,
      command: 'echo pinned',
    });
    expect((await byKey.result).outputs.stdout).toBe('pinned\n');
  });

  it('refuses a mismatching host key with HOST_KEY_MISMATCH before running anything', async () => {
    const marker = join(work, 'ran');
    const wrongPin = 'SHA256:' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const err = await expectStepError(
      start({ key: sshd!.clientKeyPath, host_key: wrongPin, command: `touch ${marker}` }).result,
    );
    expect(err.code).toBe('HOST_KEY_MISMATCH');
    expect(err.retryable).toBe(false);
    expect(existsSync(marker)).toBe(false);
  });

  it('only warns about a mismatch when strict_host_key is false', async () => {
    const wrongPin = 'SHA256:' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '');
    const { t, result } = start({
      key: sshd!.clientKeyPath,
      host_key: wrongPin,
      strict_host_key: false,
      command: 'echo ok',
    });
    expect((await result).outputs.stdout).toBe('ok\n');
    expect(linesOf(t.lines, 'system').some((l) => l.includes('WARNING'))).toBe(true);
  });

  it('fails an unauthorized key with REMOTE_AUTH_FAILED, not retryable', async () => {
    const err = await expectStepError(start({ key: sshd!.strangerKeyPath, command: 'true' }).result);
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    expect(err.retryable).toBe(false);
  });

  it('fails an unreachable port as retryable', async () => {
    const err = await expectStepError(start({ key: sshd!.clientKeyPath, port: 1, command: 'true' }).result);
    expect(err.code).toBe('STEP_FAILED');
    expect(err.retryable).toBe(true);
  });

  it('uploads with a mode, runs a command on the file and downloads the result', async () => {
    const local = join(work, 'script.sh');
    await writeFile(local, '#!/bin/sh\necho "hello from $1" > "$2"\n');
    const remoteDir = join(work, 'remote');
    const remote = join(remoteDir, 'script.sh');
    const back = join(work, 'back.txt');
    const { result } = start({
      key: sshd!.clientKeyPath,
      upload: { local, remote: `${work}/script.sh.up`, mode: '0755' },
      command: `mkdir -p ${remoteDir} && mv ${work}/script.sh.up ${remote} && ${remote} flotilla ${remoteDir}/out.txt`,
      download: { remote: `${remoteDir}/out.txt`, local: back },
    });
    const { outputs } = await result;
    expect(outputs.exit_code).toBe(0);
    expect(outputs.uploaded).toBe((await stat(local)).size);
    expect((await stat(remote)).mode & 0o777).toBe(0o755);
    expect(await readFile(back, 'utf8')).toBe('hello from flotilla\n');
    expect(outputs.downloaded).toBe('hello from flotilla\n'.length);
  });

  it('denies local paths outside the allowed roots before connecting', async () => {
    const err = await expectStepError(
      start({ key: sshd!.clientKeyPath, upload: { local: '/etc/hostname', remote: `${work}/x` } }).result,
    );
    expect(err.code).toBe('POLICY_DENIED');
  });

  it('returns promptly on abort and, with a pty, hangs up the remote command', async () => {
    const marker = join(work, 'finished');
    const { t, result } = start({
      key: sshd!.clientKeyPath,
      pty: true,
      command: `echo started; sleep 2 && touch ${marker}`,
    });
    const started = Date.now();
    const waiting = expectStepError(result);
    while (!linesOf(t.lines, 'stdout').includes('started')) await new Promise((r) => setTimeout(r, 20));
    t.controller.abort();
    const err = await waiting;
    expect(err.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(existsSync(marker)).toBe(false);
  });

  it('returns promptly on abort without a pty too', async () => {
    const { t, result } = start({ key: sshd!.clientKeyPath, command: 'echo started; sleep 5' });
    const started = Date.now();
    const waiting = expectStepError(result);
    while (!linesOf(t.lines, 'stdout').includes('started')) await new Promise((r) => setTimeout(r, 20));
    t.controller.abort();
    expect((await waiting).code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('ssh config schema', () => {
  const base = { host: 'h', user: 'u', key: '/k' };
  it('needs a credential, something to do, and a pin for strict_host_key', () => {
    expect(sshStep.configSchema.safeParse({ host: 'h', user: 'u', command: 'x' }).success).toBe(false);
    expect(sshStep.configSchema.safeParse(base).success).toBe(false);
    expect(sshStep.configSchema.safeParse({ ...base, command: 'x', strict_host_key: true }).success).toBe(false);
    expect(sshStep.configSchema.safeParse({ ...base, command: 'x', host_key: 'not a key' }).success).toBe(false);
    expect(sshStep.configSchema.safeParse({ ...base, command: 'x', password: 'inline' }).success).toBe(false);
    expect(sshStep.configSchema.parse({ ...base, command: 'x' }).port).toBe(22);
    expect(sshStep.effect(sshStep.configSchema.parse({ ...base, command: 'x' }))).toBe('at-most-once');
  });

  it('reads file modes as octal text', () => {
    const parsed = sshStep.configSchema.parse({ ...base, upload: { local: '/a', remote: '/b', mode: 755 } });
    expect(parsed.upload?.mode).toBe(0o755);
    expect(
      sshStep.configSchema.safeParse({ ...base, upload: { local: '/a', remote: '/b', mode: '0999' } }).success,
    ).toBe(false);
  });
});

beforeAll(() => {
  if (sshd !== undefined) expect(sshd.hostKeyFingerprint).toMatch(/^SHA256:/);
});
