import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadExecStep } from '@flotilla/steps';
import { makeContext, expectStepError, stepTimeoutSignal } from '../../helpers/context.js';
import type { ContextOverrides } from '../../helpers/context.js';
import { present } from '../../helpers/require-service.js';

const sh = promisify(execFile);
const hasOpenssl = present(
  'openssl CLI (signs the test artifacts)',
  await sh('openssl', ['version']).then(
    () => true,
    () => false,
  ),
);

const SCRIPT = '#!/bin/sh\necho "ran with $1"\necho "to stderr" >&2\ntouch "$MARKER"\nexit "${EXIT_CODE:-0}"\n';
let keys: string;
let server: Server;
let base: string;
/** Keys and the signature, in every shape the step accepts. */
const k = { pem: '', derB64: '', rawB64: '', otherPem: '', signature: '', sha256: '' };

beforeAll(async () => {
  if (!hasOpenssl) return;
  keys = await mkdtemp(join(tmpdir(), 'flotilla-dx-keys-'));
  const f = (name: string) => join(keys, name);
  await writeFile(f('script.sh'), SCRIPT);
  // One byte differs: the checksum and the signature of the original must both reject it.
  await writeFile(f('tampered.sh'), SCRIPT.replace('ran with', 'ran wITh'));
  await sh('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', f('k.pem')]);
  await sh('openssl', ['pkey', '-in', f('k.pem'), '-pubout', '-out', f('pub.pem')]);
  await sh('openssl', [
    'pkeyutl',
    '-sign',
    '-inkey',
    f('k.pem'),
    '-rawin',
    '-in',
    f('script.sh'),
    '-out',
    f('sig.bin'),
  ]);
  await sh('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', f('other.pem')]);
  await sh('openssl', ['pkey', '-in', f('other.pem'), '-pubout', '-out', f('other.pub.pem')]);
  k.pem = await readFile(f('pub.pem'), 'utf8');
  k.otherPem = await readFile(f('other.pub.pem'), 'utf8');
  k.derB64 = (await sh('sh', ['-c', `openssl pkey -pubin -in ${f('pub.pem')} -outform DER | base64`])).stdout.trim();
  k.rawB64 = Buffer.from(k.derB64, 'base64').subarray(-32).toString('base64');
  k.signature = (await readFile(f('sig.bin'))).toString('base64');
  k.sha256 = createHash('sha256').update(SCRIPT).digest('hex');

  server = createServer((req, res) => {
    const files: Record<string, string> = { '/script.sh': 'script.sh', '/tampered.sh': 'tampered.sh' };
    const name = files[req.url ?? ''];
    if (req.url === '/boom') {
      res.writeHead(503).end();
      return;
    }
    if (name === undefined) {
      res.writeHead(404).end();
      return;
    }
    void readFile(f(name)).then((body) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  if (!hasOpenssl) return;
  await new Promise((resolve) => server.close(resolve));
  await rm(keys, { recursive: true, force: true });
});

let work: string;
let marker: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'flotilla-dx-'));
  marker = join(work, 'ran');
  await mkdir(join(work, 'downloads'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function run(config: Record<string, unknown>, overrides: ContextOverrides = {}) {
  const parsed = downloadExecStep.configSchema.parse({
    dir: join(work, 'downloads'),
    env: { MARKER: marker },
    ...config,
  });
  return downloadExecStep.run(makeContext(parsed, { policy: { allowedFileRoots: [work] }, ...overrides }).ctx);
}

async function downloadsLeft(): Promise<string[]> {
  return readdir(join(work, 'downloads'));
}

describe.skipIf(!hasOpenssl)('downloadexec step (openssl signatures, real HTTP server)', () => {
  it.each([
    ['PEM', () => k.pem],
    ['base64 DER', () => k.derB64],
    ['base64 raw', () => k.rawB64],
  ])('verifies a %s public key, then runs the program', async (_shape, key) => {
    const { outputs } = await run({
      url: `${base}/script.sh`,
      sha256: k.sha256,
      signature: k.signature,
      public_key: key(),
      args: ['flotilla'],
    });
    expect(outputs).toMatchObject({
      stdout: 'ran with flotilla\n',
      stderr: 'to stderr\n',
      exit_code: 0,
      sha256: k.sha256,
    });
    expect(existsSync(marker)).toBe(true);
    expect(await downloadsLeft()).toEqual([]);
  });

  it('runs with the checksum alone, from an upper-case digest', async () => {
    const { outputs } = await run({ url: `${base}/script.sh`, sha256: k.sha256.toUpperCase() });
    expect(outputs.exit_code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it('never runs a tampered file: CHECKSUM_MISMATCH, and the file is deleted', async () => {
    const err = await expectStepError(
      run({ url: `${base}/tampered.sh`, sha256: k.sha256, signature: k.signature, public_key: k.pem }),
    );
    expect(err.code).toBe('CHECKSUM_MISMATCH');
    expect(err.retryable).toBe(false);
    expect(existsSync(marker)).toBe(false);
    expect(await downloadsLeft()).toEqual([]);
  });

  it('never runs a file whose signature was tampered with: SIGNATURE_INVALID', async () => {
    const sig = Buffer.from(k.signature, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    const err = await expectStepError(
      run({ url: `${base}/script.sh`, sha256: k.sha256, signature: sig.toString('base64'), public_key: k.pem }),
    );
    expect(err.code).toBe('SIGNATURE_INVALID');
    expect(existsSync(marker)).toBe(false);
    expect(await downloadsLeft()).toEqual([]);
  });

  it('rejects a signature checked with the wrong public key: SIGNATURE_INVALID', async () => {
    const err = await expectStepError(
      run({ url: `${base}/script.sh`, sha256: k.sha256, signature: k.signature, public_key: k.otherPem }),
    );
    expect(err.code).toBe('SIGNATURE_INVALID');
    expect(existsSync(marker)).toBe(false);
  });

  it('requires sha256 and pairs signature with public_key (config validation)', () => {
    expect(downloadExecStep.configSchema.safeParse({ url: `${base}/script.sh` }).success).toBe(false);
    expect(downloadExecStep.configSchema.safeParse({ url: `${base}/script.sh`, sha256: 'abc' }).success).toBe(false);
    expect(
      downloadExecStep.configSchema.safeParse({ url: `${base}/script.sh`, sha256: k.sha256, signature: k.signature })
        .success,
    ).toBe(false);
    expect(downloadExecStep.configSchema.safeParse({ url: 'ftp://x/y', sha256: k.sha256 }).success).toBe(false);
    expect(downloadExecStep.effect(downloadExecStep.configSchema.parse({ url: `${base}/s`, sha256: k.sha256 }))).toBe(
      'at-most-once',
    );
  });

  it('checks public_key and signature in the config schema, where validation sees them', async () => {
    const accepts = (extra: Record<string, unknown>): boolean =>
      downloadExecStep.configSchema.safeParse({ url: `${base}/script.sh`, sha256: k.sha256, ...extra }).success;
    const hex = Buffer.from(k.rawB64, 'base64').toString('hex');
    for (const key of [k.pem, k.derB64, k.rawB64, hex, `# signing key\n${k.pem}`])
      expect(accepts({ signature: k.signature, public_key: key })).toBe(true);
    const rsa = (
      await sh('sh', ['-c', 'openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 | openssl pkey -pubout'])
    ).stdout;
    const x25519 = (await sh('sh', ['-c', 'openssl genpkey -algorithm x25519 | openssl pkey -pubout'])).stdout;
    for (const key of ['AAAA', 'not a key!', rsa, x25519, k.pem.replace('PUBLIC KEY', 'PRIVATE KEY')])
      expect(accepts({ signature: k.signature, public_key: key })).toBe(false);
    // a signature is 64 bytes of base64 (wrapped lines allowed)
    expect(accepts({ signature: k.signature.replace(/(.{20})/g, '$1\n'), public_key: k.pem })).toBe(true);
    for (const signature of ['c2lnbmF0dXJl', 'not base64!', k.signature.slice(0, 40)])
      expect(accepts({ signature, public_key: k.pem })).toBe(false);
  });

  it('refuses a public key that is not Ed25519 as CONFIG_INVALID when a config skipped the schema', async () => {
    const config = { ...downloadExecStep.configSchema.parse({ url: `${base}/script.sh`, sha256: k.sha256 }) };
    const err = await expectStepError(
      downloadExecStep.run(
        makeContext({ ...config, signature: k.signature, public_key: 'AAAA' }, { policy: { allowedFileRoots: [work] } })
          .ctx,
      ),
    );
    expect(err.code).toBe('CONFIG_INVALID');
  });

  it('is denied when the policy disables downloadexec', async () => {
    const err = await expectStepError(
      run(
        { url: `${base}/script.sh`, sha256: k.sha256 },
        { policy: { allowedFileRoots: [work], downloadExecEnabled: false } },
      ),
    );
    expect(err.code).toBe('POLICY_DENIED');
    expect(existsSync(marker)).toBe(false);
  });

  it('runs a file:// artifact inside the allowed roots and denies one outside', async () => {
    await writeFile(join(work, 'local.sh'), SCRIPT);
    const { outputs } = await run({ url: `file://${join(work, 'local.sh')}`, sha256: k.sha256, args: ['local'] });
    expect(outputs.stdout).toBe('ran with local\n');
    const err = await expectStepError(run({ url: `file://${join(keys, 'script.sh')}`, sha256: k.sha256 }));
    expect(err.code).toBe('POLICY_DENIED');
  });

  it('fails HTTP errors: 404 not retryable, 503 retryable', async () => {
    const missing = await expectStepError(run({ url: `${base}/nope`, sha256: k.sha256 }));
    expect(missing).toMatchObject({ code: 'STEP_FAILED', retryable: false });
    const busy = await expectStepError(run({ url: `${base}/boom`, sha256: k.sha256 }));
    expect(busy).toMatchObject({ code: 'STEP_FAILED', retryable: true });
  });

  it('refuses downloads above max_bytes', async () => {
    const err = await expectStepError(run({ url: `${base}/script.sh`, sha256: k.sha256, max_bytes: 10 }));
    expect(err.code).toBe('STEP_FAILED');
    expect(existsSync(marker)).toBe(false);
  });

  it('fails a non-zero exit with the outputs kept, and keeps the file when cleanup is false', async () => {
    const err = await expectStepError(
      run({ url: `${base}/script.sh`, sha256: k.sha256, env: { MARKER: marker, EXIT_CODE: '4' } }),
    );
    expect(err.code).toBe('STEP_FAILED');
    expect(err.outputs).toMatchObject({ exit_code: 4, sha256: k.sha256, stdout: 'ran with \n' });
    const kept = await run({ url: `${base}/script.sh`, sha256: k.sha256, cleanup: false });
    expect(existsSync(kept.outputs.path as string)).toBe(true);
  });

  it('stops a running program at the step timeout (config.timeout) with STEP_TIMEOUT', async () => {
    const slow = '#!/bin/sh\nsleep 5\ntouch "$MARKER"\n';
    await writeFile(join(work, 'slow.sh'), slow);
    const sha256 = createHash('sha256').update(slow).digest('hex');
    const started = Date.now();
    const err = await expectStepError(
      run({ url: `file://${join(work, 'slow.sh')}`, sha256 }, { signal: stepTimeoutSignal(300) }),
    );
    expect(err.code).toBe('STEP_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(existsSync(marker)).toBe(false);
  });
});
