import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { LineSplitter } from './line-splitter.js';

export type OutputStream = 'stdout' | 'stderr';

export interface StepProcessSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string | undefined;
  /** The complete environment of the child. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Between SIGTERM and SIGKILL of the process group. */
  readonly killGraceMs: number;
  readonly signal: AbortSignal;
  onLine(stream: OutputStream, line: string): void;
}

export interface StepProcessResult {
  /** Exit status; 128+n when killed by signal n; null when the process never started. */
  readonly exitCode: number | null;
  /** Why it ended: by itself, by its deadline, by the abort signal, or never started. */
  readonly ending: 'exited' | 'timed_out' | 'aborted' | 'spawn_failed';
  readonly error?: string | undefined;
}

/** How long output may keep flowing after the leader exited before the pipes are cut. */
const DRAIN_AFTER_EXIT_MS = 2000;

/**
 * Runs one step as a child in its own process group (`detached: true`), streaming output
 * line by line. On deadline or abort the WHOLE group gets SIGTERM, then SIGKILL after
 * `killGraceMs`. When the leader exits, whatever is left of its group is killed too (like
 * CI runners do), so a background child can neither outlive its step nor hold it open.
 */
export function runStepProcess(spec: StepProcessSpec): Promise<StepProcessResult> {
  return new Promise((resolve) => {
    const out = new LineSplitter();
    const err = new LineSplitter();
    let ending: StepProcessResult['ending'] = 'exited';
    let exitCode: number | null = null;
    let spawnError: string | undefined;
    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const child = spawn(spec.file, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid;

    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      spec.signal.removeEventListener('abort', onAbort);
      for (const line of out.flush()) spec.onLine('stdout', line);
      for (const line of err.flush()) spec.onLine('stderr', line);
      resolve({ exitCode, ending: spawnError === undefined ? ending : 'spawn_failed', error: spawnError });
    };
    const terminate = (why: 'timed_out' | 'aborted'): void => {
      if (pid === undefined || ending !== 'exited' || done) return;
      ending = why;
      killProcessGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => killProcessGroup(pid, 'SIGKILL'), spec.killGraceMs);
    };
    const onAbort = (): void => {
      terminate('aborted');
    };
    const deadline = setTimeout(() => {
      terminate('timed_out');
    }, spec.timeoutMs);
    spec.signal.addEventListener('abort', onAbort, { once: true });
    if (spec.signal.aborted) onAbort();

    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of out.push(chunk)) spec.onLine('stdout', line);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      for (const line of err.push(chunk)) spec.onLine('stderr', line);
    });
    child.on('error', (error) => {
      if (pid !== undefined) return;
      spawnError = `cannot start ${spec.file}: ${error.message}`;
      finish();
    });
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal === null ? null : 128 + constants.signals[signal]);
      if (pid !== undefined) killProcessGroup(pid, 'SIGKILL');
      clearTimeout(killTimer);
      // Output still buffered in the pipes is read; a holder outside the group cannot stall us.
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, DRAIN_AFTER_EXIT_MS);
    });
    child.on('close', finish);
  });
}

/**
 * Signals every process of the group led by `pid`; false when the group no longer exists (or
 * is not ours to signal). Never throws: it runs inside child-process event handlers.
 */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
