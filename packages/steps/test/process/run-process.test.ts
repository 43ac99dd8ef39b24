import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, spawnDirectly, useLauncherHelper } from '@flotilla/steps';
import type { Launch, RunProcessOptions } from '@flotilla/steps';
import { linesOf, makeContext } from '../helpers/context.js';
import { isAlive, killQuietly, waitFor } from '../helpers/processes.js';

function setupWith(launch: Launch = spawnDirectly): ReturnType<typeof makeContext<null>> & {
  run: (options: Omit<RunProcessOptions, 'signal' | 'log' | 'launch'>) => ReturnType<typeof runProcess>;
} {
  const test = makeContext(null);
  return {
    ...test,
    run: (options) => runProcess({ ...options, signal: test.ctx.signal, log: test.ctx.log, launch }),
  };
}

/** Numbers a process printed on stdout, one per line (pids). */
function printedPids(lines: ReturnType<typeof linesOf>): number[] {
  return lines.filter((line) => /^\d+$/.test(line)).map(Number);
}

// Every case runs twice: forking from this process, and through the launcher helper the agent uses.
describe.each([
  ['forked here', false],
  ['through the launcher helper', true],
])('runProcess (%s)', (_name, helper) => {
  let lease: ReturnType<typeof useLauncherHelper> | undefined;
  beforeAll(() => {
    if (helper) lease = useLauncherHelper();
  });
  afterAll(async () => {
    await lease?.release();
  });
  const setup = (): ReturnType<typeof setupWith> => setupWith(lease?.launch);

  it('reports the exit code and captures both streams line by line, in order', async () => {
    const { run, lines } = setup();
    const result = await run({
      command: 'sh',
      args: ['-c', 'echo one; echo err1 >&2; echo two; echo err2 >&2; exit 3'],
    });
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      aborted: false,
      stdout: 'one\ntwo\n',
      stderr: 'err1\nerr2\n',
    });
    expect(linesOf(lines, 'stdout')).toEqual(['one', 'two']);
    expect(linesOf(lines, 'stderr')).toEqual(['err1', 'err2']);
  });

  it('joins partial writes, handles CRLF and flushes a final unterminated line', async () => {
    const { run, lines } = setup();
    const script = "printf 'par'; sleep 0.1; printf 'tial\\r\\nnext\\n'; sleep 0.1; printf 'last'";
    const result = await run({ command: 'sh', args: ['-c', script] });
    expect(result.exitCode).toBe(0);
    expect(linesOf(lines, 'stdout')).toEqual(['partial', 'next', 'last']);
  });

  it('passes args verbatim without a shell', async () => {
    const { run, lines } = setup();
    await run({ command: 'printf', args: ['%s|', '$HOME', 'a b', '; echo no'] });
    expect(linesOf(lines, 'stdout')).toEqual(['$HOME|a b|; echo no|']);
  });

  it('runs a command line through /bin/sh with args as $1…', async () => {
    const { run, lines } = setup();
    await run({ command: 'echo "$1-$2" | tr a-z A-Z', shell: true, args: ['ab', 'cd'] });
    expect(linesOf(lines, 'stdout')).toEqual(['AB-CD']);
  });

  it('feeds stdin and closes it; without stdin the process reads end-of-file', async () => {
    const { run } = setup();
    expect((await run({ command: 'cat', stdin: 'line 1\nline 2\n' })).stdout).toBe('line 1\nline 2\n');
    expect((await run({ command: 'cat', stdin: Buffer.from('bytes') })).stdout).toBe('bytes');
    expect((await run({ command: 'cat' })).stdout).toBe('');
  });

  it('runs in cwd and fails clearly on a missing cwd', async () => {
    const { run } = setup();
    expect((await run({ command: 'pwd', cwd: '/tmp' })).stdout).toBe('/tmp\n');
    await expect(run({ command: 'pwd', cwd: '/nonexistent-dir-flotilla' })).rejects.toMatchObject({
      code: 'STEP_FAILED',
    });
  });

  it('passes env to the process through its environment, never through argv', async () => {
    const { run, lines, controller } = setup();
    const secret = 'S3cr3t-value-in-env';
    const running = run({
      command: 'sh',
      args: ['-c', 'echo $$; echo "len=${#FLOTILLA_SECRET}"; sleep 30'],
      env: { FLOTILLA_SECRET: secret },
    });
    await waitFor(() => linesOf(lines, 'stdout').length >= 2);
    const [pid] = printedPids(linesOf(lines, 'stdout'));
    expect(linesOf(lines, 'stdout')[1]).toBe(`len=${secret.length}`);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(secret);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain(`FLOTILLA_SECRET=${secret}`);
    controller.abort();
    await running;
    expect(lines.map((l) => l.line).join('\n')).not.toContain(secret);
  });

  it('keeps the agent environment and lets env override it', async () => {
    const { run } = setup();
    const result = await run({
      command: 'sh',
      args: ['-c', 'echo "$PATH" | grep -c / ; echo "$HOME"'],
      env: { HOME: '/flotilla-home' },
    });
    expect(result.stdout).toBe('1\n/flotilla-home\n');
  });

  it('abort kills the whole process group', async () => {
    const { run, lines, controller } = setup();
    const running = run({ command: 'sh', args: ['-c', 'sleep 30 & echo $!; sleep 30 & echo $!; echo $$; wait'] });
    await waitFor(() => printedPids(linesOf(lines, 'stdout')).length === 3);
    const pids = printedPids(linesOf(lines, 'stdout'));
    expect(pids.every(isAlive)).toBe(true);
    const started = Date.now();
    controller.abort();
    const result = await running;
    try {
      expect(result.aborted).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500);
      await waitFor(() => !pids.some(isAlive), 2000);
    } finally {
      pids.forEach(killQuietly);
    }
  });

  it('SIGKILLs a group that ignores SIGTERM after the grace period', async () => {
    const { run, lines, controller } = setup();
    const running = run({
      command: 'sh',
      args: ['-c', 'trap "" TERM; sleep 30 & echo $!; echo $$; wait'],
      killGraceMs: 200,
    });
    await waitFor(() => printedPids(linesOf(lines, 'stdout')).length === 2);
    const pids = printedPids(linesOf(lines, 'stdout'));
    controller.abort();
    const result = await running;
    try {
      expect(result).toMatchObject({ aborted: true, exitCode: null, signal: 'SIGKILL' });
      await waitFor(() => !pids.some(isAlive), 2000);
    } finally {
      pids.forEach(killQuietly);
    }
  });

  it('does not start anything when the signal is already aborted', async () => {
    const { run, controller } = setup();
    controller.abort();
    expect(await run({ command: 'sh', args: ['-c', 'echo started'] })).toMatchObject({ aborted: true, stdout: '' });
  });

  it('stops waiting for background children that keep the output open', async () => {
    const { run, lines } = setup();
    const started = Date.now();
    const result = await run({ command: 'sh', args: ['-c', 'sleep 30 & echo $!; echo done'] });
    printedPids(linesOf(lines, 'stdout')).forEach(killQuietly);
    expect(result.exitCode).toBe(0);
    expect(linesOf(lines, 'stdout')[1]).toBe('done');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('keeps only the tail of a large output', async () => {
    const { run, lines } = setup();
    const result = await run({ command: 'seq', args: ['1', '10000'], maxCaptureBytes: 12 });
    expect(result.stdout).toBe('9998\n9999\n10000\n'.slice(-12));
    expect(linesOf(lines, 'stdout')).toHaveLength(10000);
  });

  it('rejects with STEP_FAILED when the program does not exist', async () => {
    const { run } = setup();
    await expect(run({ command: 'flotilla-no-such-program' })).rejects.toMatchObject({
      code: 'STEP_FAILED',
      retryable: false,
    });
  });
});

describe('runProcess through the launcher helper', () => {
  it('ends a running command with SIGKILL when the helper dies, and starts a new helper for the next', async () => {
    const { launch, release } = useLauncherHelper();
    try {
      const { run, lines } = setupWith(launch);
      const running = run({ command: 'sh', args: ['-c', 'echo "$$"; echo "$PPID"; sleep 30'] });
      await waitFor(() => printedPids(linesOf(lines, 'stdout')).length === 2);
      const [pid, helperPid] = printedPids(linesOf(lines, 'stdout'));
      expect(helperPid).not.toBe(process.pid);
      process.kill(helperPid!, 'SIGKILL');
      const result = await running;
      expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
      await waitFor(() => !isAlive(pid!));
      const again = await setupWith(launch).run({ command: 'sh', args: ['-c', 'echo ok'] });
      expect(again).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
    } finally {
      await release();
    }
  });
});
