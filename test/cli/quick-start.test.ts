/**
 * The README's quick start, exercised as a user would: the built `flotilla` binary, `up` in a
 * fresh directory, then client commands from that directory. Needs `npm run build` (the
 * `npm test` script builds first).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../apps/cli/bin/flotilla.js');
const built = existsSync(resolve(import.meta.dirname, '../../apps/cli/dist/main.js'));

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') ok(address.port);
        else fail(new Error('no port'));
      });
    });
  });
}

function cli(cwd: string, args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!built)('quick start (built CLI)', () => {
  let dir: string;
  let up: ChildProcess;
  let banner = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-quickstart-'));
    const port = await freePort();
    up = spawn(process.execPath, [BIN, 'up', '--port', String(port)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    up.stderr?.on('data', (chunk: Buffer) => (banner += chunk.toString()));
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`flotilla up did not start:\n${banner}`)), 30_000);
      up.stdout?.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        if (banner.includes('Press Ctrl-C to stop.')) {
          clearTimeout(timer);
          ok();
        }
      });
      up.once('exit', (code) => fail(new Error(`flotilla up exited with ${code}:\n${banner}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (up.exitCode === null) {
      const exited = new Promise((ok) => up.once('exit', ok));
      up.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL and the admin credentials', () => {
    expect(banner).toMatch(/control plane\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toMatch(/admin login\s+admin \/ \S{12,}/);
  });

  it('lists the local agent online', () => {
    const result = cli(dir, ['agents', 'list', '--json']);
    expect(result.code).toBe(0);
    const agents = JSON.parse(result.stdout) as { name: string; status: string }[];
    expect(agents.find((a) => a.name === 'local')?.status).toBe('online');
  });

  it('exec prints the output and exits 0', () => {
    const result = cli(dir, ['exec', '--agent', 'local', '--', 'echo', 'hi']);
    expect(result.stdout).toBe('hi\n');
    expect(result.code).toBe(0);
  });

  it("exec exits with the command's exit code", () => {
    const result = cli(dir, ['exec', '--agent', 'local', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    expect(result.stderr).toContain('oops');
    expect(result.code).toBe(3);
  });

  it('exec on an unknown agent fails with a clear code', () => {
    const result = cli(dir, ['exec', '--agent', 'nope', '--', 'true']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TARGET_NOT_FOUND');
  });

  it('pushes a large workflow: the built server validates it in its worker thread', () => {
    // over the 4 KiB inline cut-off, so the server runs dist/workflows/validation-worker.js
    let text = 'name: large\ntasks:\n';
    for (let i = 0; i < 200; i++)
      text += `  - name: step-${i}\n    type: command\n    config: { command: echo, args: ["${i}"] }\n`;
    expect(text.length).toBeGreaterThan(8 * 1024);
    writeFileSync(join(dir, 'large.yaml'), text);
    const result = cli(dir, ['workflows', 'push', 'large.yaml', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'large', version: 1 });
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((ok) => up.once('exit', (code) => ok(code)));
    up.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe.skipIf(!built)("the README's local run (built CLI, no server)", () => {
  const root = resolve(import.meta.dirname, '../..');

  it('runs examples/hello.yaml to the end and exits 0', () => {
    const result = cli(root, ['run', 'examples/hello.yaml']);
    expect(result.stderr).not.toContain('unsettled top-level await');
    expect(result.stdout).toMatch(/2 succeeded, 0 failed, 0 skipped in \d+/);
    expect(result.code).toBe(0);
  });

  it('prints the run record with --json and exits 0', () => {
    const result = cli(root, ['run', 'examples/hello.yaml', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded' });
    expect(result.code).toBe(0);
  });

  it('validates it', () => {
    const result = cli(root, ['validate', 'examples/hello.yaml']);
    expect(result.stdout).toContain('examples/hello.yaml: valid');
    expect(result.code).toBe(0);
  });
});

if (!built) {
  const message = 'quick start test needs the build: apps/cli/dist is missing — run `npm run build` (npm test does)';
  if (process.env.FLOTILLA_REQUIRE_SERVICES === '1') throw new Error(message);
  console.warn(`SKIPPED ${message}`);
}
