/**
 * Hardening finding 5: disabling or revoking the `local` agent must not stop `flotilla up`. The
 * built binary, as a user runs it: `up` in a fresh directory, the agent's trust changed through
 * the CLI (the REST API), and `up` must keep serving the control plane, say what happened to its
 * agent, come back serving after a restart, and reconnect the agent once it is enabled again.
 * Needs `npm run build` (the `npm test` script builds first).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** A running `flotilla up` and everything it printed (stdout and stderr, interleaved). */
interface Up {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once `pattern` is in the output; rejects if `up` exits first (or after 30 s). */
  waitForOutput(pattern: RegExp, what: string): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

async function startUp(cwd: string, port: number): Promise<Up> {
  const child = spawn(process.execPath, [BIN, 'up', '--port', String(port)], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const watchers = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    for (const watcher of watchers) watcher();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const up: Up = {
    child,
    output: () => output,
    waitForOutput: (pattern, what) =>
      new Promise<void>((ok, fail) => {
        const timer = setTimeout(() => finish(new Error(`${what}: not printed within 30 s:\n${output}`)), 30_000);
        const finish = (err?: Error): void => {
          clearTimeout(timer);
          watchers.delete(check);
          if (err === undefined) ok();
          else fail(err);
        };
        const check = (): void => {
          if (pattern.test(output)) finish();
        };
        watchers.add(check);
        void exited.then((code) => finish(new Error(`${what}: flotilla up exited with ${code} first:\n${output}`)));
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await up.waitForOutput(/Press Ctrl-C to stop\./, 'the banner');
  return up;
}

async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within 30 s`);
    await sleep(200);
  }
}

function localStatus(dir: string): string | undefined {
  const result = cli(dir, ['agents', 'list', '--json']);
  if (result.code !== 0) throw new Error(`agents list failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { name: string; status: string }[]).find((a) => a.name === 'local')?.status;
}

describe.skipIf(!built)('flotilla up when its local agent is disabled or revoked (built CLI)', () => {
  let dir: string;
  let port: number;
  let up: Up;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flotilla-up-agent-'));
    port = await freePort();
    up = await startUp(dir, port);
    await waitFor(() => (localStatus(dir) === 'online' ? true : undefined), 'local agent online');
  }, 90_000);

  afterAll(async () => {
    await up.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const healthz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  it('keeps serving the control plane and reports the local agent disabled', async () => {
    const disabled = cli(dir, ['agents', 'disable', 'local']);
    expect(disabled.code, disabled.stderr).toBe(0);

    await up.waitForOutput(/local agent "local" is disabled/, 'the report that the local agent is disabled');
    expect(up.output()).toContain('npx flotilla agents enable local');
    expect(up.child.exitCode).toBeNull();
    expect(await healthz()).toBe(200);
    expect(localStatus(dir)).toBe('disabled');
  }, 60_000);

  it('a restart of flotilla up keeps serving and reports the agent disabled again', async () => {
    expect(await up.stop()).toBe(0);
    up = await startUp(dir, port);

    await up.waitForOutput(/local agent "local" is disabled/, 'the report after the restart');
    // the report is not the last word: up is still there, serving
    await sleep(500);
    expect(up.child.exitCode).toBeNull();
    expect(await healthz()).toBe(200);
    expect(localStatus(dir)).toBe('disabled');
  }, 60_000);

  it('enabling the agent brings it back online', async () => {
    const enabled = cli(dir, ['agents', 'enable', 'local']);
    expect(enabled.code, enabled.stderr).toBe(0);

    await up.waitForOutput(/local agent "local" is enabled again/, 'the report that the agent is back');
    await waitFor(() => (localStatus(dir) === 'online' ? true : undefined), 'local agent online again');
    const result = cli(dir, ['exec', '--agent', 'local', '--', 'echo', 'back']);
    expect(result.stdout).toBe('back\n');
    expect(result.code).toBe(0);
  }, 60_000);

  it('keeps serving when the agent is revoked, and says how to enrol a new one', async () => {
    const revoked = cli(dir, ['agents', 'revoke', 'local']);
    expect(revoked.code, revoked.stderr).toBe(0);

    await up.waitForOutput(/local agent "local" is revoked/, 'the report that the local agent is revoked');
    expect(up.output()).toContain(join(dir, '.flotilla', 'agent'));
    expect(up.child.exitCode).toBeNull();
    expect(await healthz()).toBe(200);
    expect(localStatus(dir)).toBe('revoked');
  }, 60_000);

  it('still stops cleanly on SIGTERM', async () => {
    expect(await up.stop()).toBe(0);
  }, 30_000);
});

if (!built) {
  const message =
    'flotilla up agent-trust test needs the build: apps/cli/dist is missing — run `npm run build` (npm test does)';
  if (process.env.FLOTILLA_REQUIRE_SERVICES === '1') throw new Error(message);
  console.warn(`SKIPPED ${message}`);
}
