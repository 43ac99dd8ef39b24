import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runStepProcess, type OutputStream } from '../src/jobs/step-process.js';
import { eventually } from './helpers/temp-dir.js';

/** Alive = has a /proc entry that is not a zombie (an unreaped zombie holds no resources). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function run(args: string[], options: { timeoutMs?: number; killGraceMs?: number; signal?: AbortSignal } = {}) {
  const lines: [OutputStream, string][] = [];
  const result = runStepProcess({
    file: args[0]!,
    args: args.slice(1),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMs: options.timeoutMs ?? 10_000,
    killGraceMs: options.killGraceMs ?? 200,
    signal: options.signal ?? new AbortController().signal,
    onLine: (stream, line) => lines.push([stream, line]),
  });
  return { result, lines };
}

describe('runStepProcess', () => {
  it('streams stdout and stderr line by line, including an unterminated last line', async () => {
    const { result, lines } = run(['sh', '-c', 'echo one; echo two >&2; printf "three"']);
    expect(await result).toEqual({ exitCode: 0, ending: 'exited', error: undefined });
    expect(lines).toContainEqual(['stdout', 'one']);
    expect(lines).toContainEqual(['stderr', 'two']);
    expect(lines).toContainEqual(['stdout', 'three']);
  });

  it('reports the exit code, and a spawn failure without crashing', async () => {
    expect((await run(['sh', '-c', 'exit 3']).result).exitCode).toBe(3);
    const missing = await run(['/nonexistent/flotilla-binary']).result;
    expect(missing.ending).toBe('spawn_failed');
    expect(missing.exitCode).toBeNull();
    expect(missing.error).toMatch(/ENOENT/);
  });

  it('kills the whole process group on timeout: no process of the step survives', async () => {
    // The shell prints the pid of its background child, then both sleep far beyond the deadline.
    const started = Date.now();
    const { result, lines } = run(['sh', '-c', 'sleep 100 & echo $!; echo $$; sleep 100'], {
      timeoutMs: 300,
      killGraceMs: 200,
    });
    const outcome = await result;
    expect(outcome.ending).toBe('timed_out');
    expect(outcome.exitCode).toBe(128 + 15);
    expect(Date.now() - started).toBeLessThan(3000);
    const pids = lines.map(([, l]) => Number(l));
    expect(pids).toHaveLength(2);
    await eventually(() => pids.every((pid) => !isAlive(pid)), 2000);
  });

  it('escalates to SIGKILL for a group that ignores SIGTERM', async () => {
    const { result, lines } = run(
      ['sh', '-c', 'trap "" TERM; sh -c \'trap "" TERM; sleep 100\' & echo $!; sleep 100'],
      {
        timeoutMs: 200,
        killGraceMs: 300,
      },
    );
    const outcome = await result;
    expect(outcome.ending).toBe('timed_out');
    expect(outcome.exitCode).toBe(128 + 9);
    const pid = Number(lines[0]![1]);
    await eventually(() => !isAlive(pid), 2000);
  });

  it('stops on abort, and kills leftovers of a step whose leader already exited', async () => {
    const controller = new AbortController();
    const aborted = run(['sleep', '100'], { signal: controller.signal });
    setTimeout(() => {
      controller.abort();
    }, 100);
    expect((await aborted.result).ending).toBe('aborted');

    const { result, lines } = run(['sh', '-c', 'sleep 100 & echo $!']);
    const outcome = await result;
    expect(outcome).toMatchObject({ ending: 'exited', exitCode: 0 });
    await eventually(() => !isAlive(Number(lines[0]![1])), 2000);
  });
});
