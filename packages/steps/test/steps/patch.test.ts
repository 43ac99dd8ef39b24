import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PatchConfigSchema, patchStep } from '@flotilla/steps';
import type { ContextOverrides } from '../helpers/context.js';
import { makeContext } from '../helpers/context.js';

let root: string;
let file: string;
const ORIGINAL = Buffer.from('{"port": 8080,\r\n "name": "caf\u00e9"}\n\u0000tail-without-newline', 'utf8');

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'flotilla-patch-'));
  file = join(root, 'app.json');
  await writeFile(file, ORIGINAL);
  await chmod(file, 0o640);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function setup(
  config: Record<string, unknown>,
  overrides: ContextOverrides = {},
): ReturnType<typeof makeContext<ReturnType<typeof PatchConfigSchema.parse>>> {
  return makeContext(PatchConfigSchema.parse({ path: file, ...config }), {
    policy: { allowedFileRoots: [root] },
    ...overrides,
  });
}

const backups = async (): Promise<string[]> => (await readdir(root)).filter((f) => f.includes('.flotilla-bak-'));

describe('patch step: config', () => {
  it('needs exactly one of content or diff, rejects unknown fields, and is at-most-once', () => {
    expect(PatchConfigSchema.safeParse({ path: '/x' }).success).toBe(false);
    expect(PatchConfigSchema.safeParse({ path: '/x', content: 'a', diff: 'b' }).success).toBe(false);
    expect(PatchConfigSchema.safeParse({ path: '/x', content: 'a', backups: false }).success).toBe(false);
    expect(PatchConfigSchema.safeParse({ path: '/x', content: 'a', validate: { syntax: 'toml' } }).success).toBe(false);
    expect(PatchConfigSchema.safeParse({ path: '/x', content: 'a', watch: { duration: '1s' } }).success).toBe(false);
    const parsed = PatchConfigSchema.parse({ path: '/x', content: 'a', watch: { url: 'http://127.0.0.1/health' } });
    expect(parsed.watch).toMatchObject({ duration: 10_000, interval: 1000 });
    expect(patchStep.effect(parsed)).toBe('at-most-once');
  });
});

describe('patch step', () => {
  it('replaces the content atomically, keeps the mode, and keeps a byte-exact backup', async () => {
    const { ctx } = setup({ content: '{"port": 9090}\n', validate: { syntax: 'json' } });
    const { outputs } = await patchStep.run(ctx);
    expect(outputs).toMatchObject({ changed: true, restored: false });
    expect(await readFile(file, 'utf8')).toBe('{"port": 9090}\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    const backupPath = outputs.backup_path as string;
    expect(await backups()).toEqual([backupPath.slice(root.length + 1)]);
    expect((await readFile(backupPath)).equals(ORIGINAL)).toBe(true);
    expect((await stat(backupPath)).mode & 0o777).toBe(0o640);
    expect((await readdir(root)).filter((f) => f.endsWith('.flotilla-tmp'))).toEqual([]);
  });

  it('is a no-op when the content is already there, and skips the backup when asked', async () => {
    const same = setup({ content: ORIGINAL.toString('utf8') });
    expect((await patchStep.run(same.ctx)).outputs).toEqual({ changed: false, backup_path: null, restored: false });
    const noBackup = setup({ content: 'new\n', backup: false });
    expect((await patchStep.run(noBackup.ctx)).outputs).toEqual({ changed: true, backup_path: null, restored: false });
    expect(await backups()).toEqual([]);
  });

  it('applies a unified diff, and a second run finds it already applied', async () => {
    const conf = join(root, 'nginx.conf');
    await writeFile(conf, 'worker_processes 1;\nevents {\n  worker_connections 512;\n}\n');
    const diff = [
      '--- a/nginx.conf',
      '+++ b/nginx.conf',
      '@@ -1,4 +1,4 @@',
      ' worker_processes 1;',
      ' events {',
      '-  worker_connections 512;',
      '+  worker_connections 1024;',
      ' }',
      '',
    ].join('\n');
    const first = setup({ path: conf, diff });
    expect((await patchStep.run(first.ctx)).outputs).toMatchObject({ changed: true });
    expect(await readFile(conf, 'utf8')).toBe('worker_processes 1;\nevents {\n  worker_connections 1024;\n}\n');
    const again = setup({ path: conf, diff });
    expect((await patchStep.run(again.ctx)).outputs).toMatchObject({ changed: false });
  });

  it('fails without touching the file when the diff does not apply or is not a diff', async () => {
    const misfit = '--- a/app.json\n+++ b/app.json\n@@ -1,1 +1,1 @@\n-nothing like this\n+x\n';
    await expect(patchStep.run(setup({ diff: misfit }).ctx)).rejects.toMatchObject({
      code: 'STEP_FAILED',
      retryable: false,
    });
    // not a diff: the config schema refuses it (validation says so), and a config that skipped
    // the schema is refused at run time with CONFIG_INVALID
    const notADiff = PatchConfigSchema.safeParse({ path: file, diff: 'just some text' });
    expect(notADiff.error?.issues.map((i) => i.path)).toEqual([['diff']]);
    const raw = makeContext(
      { path: file, diff: 'just some text', backup: true },
      { policy: { allowedFileRoots: [root] } },
    );
    await expect(patchStep.run(raw.ctx)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
    expect(await backups()).toEqual([]);
  });

  it('restores the original byte for byte when syntax validation fails', async () => {
    for (const syntax of ['json', 'yaml', 'js']) {
      const { ctx } = setup({ content: '{"port": [1, 2}\n', validate: { syntax } });
      const err = await patchStep.run(ctx).catch((e: unknown) => e);
      expect(err, syntax).toMatchObject({
        code: 'STEP_FAILED',
        retryable: false,
        outputs: { restored: true, changed: false },
      });
      expect((await readFile(file)).equals(ORIGINAL), syntax).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o640);
    }
  });

  it('accepts valid YAML and JavaScript (script or module syntax)', async () => {
    for (const [syntax, content] of [
      ['yaml', 'a: 1\n---\nb: [2, 3]\n'],
      ['js', 'module.exports = { a: 1 };\n'],
      ['js', 'import x from "y";\nexport default await x;\n'],
    ] as const) {
      const { ctx } = setup({ content, validate: { syntax } });
      expect((await patchStep.run(ctx)).outputs, content).toMatchObject({ changed: true });
    }
  });

  it('runs a validation command with {path} and restores when it fails', async () => {
    const ok = setup({ content: 'mode=good\n', validate: { command: 'grep', args: ['-q', 'good', '{path}'] } });
    expect((await patchStep.run(ok.ctx)).outputs).toMatchObject({ changed: true });
    await writeFile(file, ORIGINAL);
    const bad = setup({ content: 'mode=bad\n', validate: { command: 'grep', args: ['-q', 'good', '{path}'] } });
    await expect(patchStep.run(bad.ctx)).rejects.toMatchObject({ code: 'STEP_FAILED', outputs: { restored: true } });
    expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
  });

  it('restores when the health command fails during the watch', async () => {
    const counter = join(root, 'probes');
    // Healthy for two probes, then the "service" breaks.
    const probe = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${counter}; [ $n -le 2 ]`;
    const { ctx } = setup({
      content: 'new\n',
      watch: { command: 'sh', args: ['-c', probe], duration: '5s', interval: '50ms' },
    });
    const err = await patchStep.run(ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STEP_FAILED', retryable: true, outputs: { restored: true } });
    expect(await readFile(counter, 'utf8')).toBe('3\n');
    expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
  });

  describe('with a real health endpoint', () => {
    let server: Server;
    let failAfter = Infinity;
    let hits = 0;
    let url = '';
    // the HTTP client loads on the first probe; on a loaded machine that alone can outlast a short watch
    beforeAll(async () => {
      await import('undici');
    });
    beforeEach(async () => {
      hits = 0;
      failAfter = Infinity;
      server = createServer((_req, res) => {
        hits += 1;
        res.statusCode = hits > failAfter ? 503 : 200;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    });
    afterEach(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('keeps the change when the URL stays healthy for the whole duration', async () => {
      const { ctx } = setup({ content: 'new\n', watch: { url, duration: '300ms', interval: '50ms' } });
      const started = performance.now();
      expect((await patchStep.run(ctx)).outputs).toMatchObject({ changed: true });
      // watched for the whole duration, checking again and again (how often depends on the load)
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(hits).toBeGreaterThanOrEqual(2);
      expect(await readFile(file, 'utf8')).toBe('new\n');
    });

    it('restores when the URL turns unhealthy during the watch', async () => {
      failAfter = 2;
      const { ctx } = setup({ content: 'new\n', watch: { url, duration: '2s', interval: '50ms' } });
      await expect(patchStep.run(ctx)).rejects.toMatchObject({ code: 'STEP_FAILED', outputs: { restored: true } });
      expect(hits).toBe(3);
      expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
    });

    it('restores when cancelled during the watch', async () => {
      const { ctx, controller } = setup({ content: 'new\n', watch: { url, duration: '1h', interval: '50ms' } });
      const running = patchStep.run(ctx);
      setTimeout(() => {
        controller.abort();
      }, 150);
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED', outputs: { restored: true } });
      expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
    });
  });

  it('denies paths outside the allowed roots, also through a symlink', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'flotilla-outside-'));
    try {
      const target = join(outside, 'secret.conf');
      await writeFile(target, 'keep');
      await mkdir(join(root, 'sub'));
      await symlink(target, join(root, 'sub', 'link.conf'));
      for (const path of [target, join(root, 'sub', 'link.conf'), join(root, '..', 'elsewhere.conf')]) {
        await expect(patchStep.run(setup({ path, content: 'x' }).ctx), path).rejects.toMatchObject({
          code: 'POLICY_DENIED',
        });
      }
      expect(await readFile(target, 'utf8')).toBe('keep');
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('checks the validation command against the policy before changing anything', async () => {
    const { ctx } = setup(
      { content: 'x', validate: { command: 'nginx', args: ['-t'] } },
      { policy: { allowedFileRoots: [root], allowedCommands: ['grep'] } },
    );
    await expect(patchStep.run(ctx)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    expect((await readFile(file)).equals(ORIGINAL)).toBe(true);
    expect(await backups()).toEqual([]);
  });
});
