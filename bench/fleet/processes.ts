import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Node flags for a TypeScript entry of the benchmark. Without the `@flotilla/source` condition
 * the `@flotilla/*` packages it imports resolve to their build (`dist/`, made by `npm install`):
 * the code users run, not the TypeScript sources through a loader.
 */
/** `BENCH_CPU_PROF=DIR` has every benchmark child write a V8 CPU profile into DIR (see bench/README.md). */
const PROFILE_ARGS = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
const TS_NODE_ARGS = [...PROFILE_ARGS, '--import', 'tsx'];

/** Every child the benchmark started, so it always cleans up (also on failure or Ctrl-C). */
const children = new Set<ChildProcess>();

/** Starts `bench/fleet/<script>` as a child with an IPC channel; resolves once it sends `{ready: true}`. */
export async function startTsChild(
  script: string,
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, fileURLToPath(new URL(script, import.meta.url))], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`bench: ${script} not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message: Record<string, unknown>) => {
      if (message.ready === true) {
        clearTimeout(timer);
        resolve(message);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${script} exited early (${code})`));
    });
  });
  return { child, ready };
}

/** The built CLI (`npm install` builds it): what an operator runs as `flotilla`. */
const FLOTILLA_BIN = join(ROOT, 'apps/cli/bin/flotilla.js');

/** Starts `flotilla <args>` from the build, as a user would; no IPC, its output discarded. */
export function startFlotilla(args: readonly string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...PROFILE_ARGS, FLOTILLA_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Asks a child to stop (IPC "stop", or SIGTERM without IPC), then kills it if it lingers. */
export async function stopChild(child: ChildProcess, graceMs = 8000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send('stop');
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Temp dirs of this run, removed by `cleanUpEverything` even when the run is interrupted. */
const tempDirs = new Set<string>();

/** A fresh temp dir `flotilla-bench-<name>-XXXXXX`, removed at the end of the run. */
export function benchTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `flotilla-bench-${name}-`));
  tempDirs.add(dir);
  return dir;
}

/** Stops every child still running and removes every temp dir. */
export async function cleanUpEverything(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** Resident set size of a process in KiB (`ps -o rss=`). */
export async function rssKiB(pid: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim());
}
