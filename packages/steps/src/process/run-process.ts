import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { StepError } from '@flotilla/workflow';
import type { StepLogger } from '@flotilla/workflow';
import type { Launch } from './launcher.js';
import { LineSplitter } from './split-lines.js';
import { TailBuffer } from './tail-buffer.js';

/** What to run and how; see {@link runProcess}. */
export interface RunProcessOptions {
  /** Program to run (looked up on PATH unless it contains `/`), or a shell command line when `shell`. */
  command: string;
  /** Arguments, passed as is (no shell); with `shell` they become `$1`, `$2`, …. */
  args?: readonly string[];
  /** Run `command` through `/bin/sh -c`. @default false */
  shell?: boolean;
  cwd?: string;
  /** Added to the agent's own environment; secrets travel here, never in argv or logs. */
  env?: Readonly<Record<string, string>>;
  /** Written to the process's stdin, which is then closed; without it stdin is empty. */
  stdin?: string | Buffer;
  /** Abort kills the whole process group: SIGTERM, then SIGKILL after `killGraceMs`. */
  signal: AbortSignal;
  /** Receives stdout/stderr line by line. */
  log: StepLogger;
  /** Starts the process: the host's launcher from the step services (`launchOf(ctx.services)`). */
  launch: Launch;
  /** @default 2000 */
  killGraceMs?: number;
  /** Bytes of stdout and of stderr kept for the result (the tail). @default 1048576 */
  maxCaptureBytes?: number;
}

/** How a process ended and what it printed (the tail of each stream). */
export interface ProcessResult {
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when `signal` aborted the run (the process group was killed). */
  aborted: boolean;
}

const DEFAULT_KILL_GRACE_MS = 2000;
const DEFAULT_MAX_CAPTURE_BYTES = 1024 * 1024;
/**
 * After the process exits, background children it left behind may still hold our pipes open;
 * waiting for them would hang the step, so we stop reading after this long.
 */
const DRAIN_AFTER_EXIT_MS = 1000;

/**
 * Runs a process in its own process group, streams its output line by line into `log` and
 * resolves when it has exited and its output is read. Never rejects for a non-zero exit; rejects
 * with a `STEP_FAILED` StepError when the program cannot be started.
 */
export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const { signal, log } = options;
  if (signal.aborted) return { exitCode: null, signal: null, stdout: '', stderr: '', aborted: true };
  if (options.cwd !== undefined) await assertDirectory(options.cwd);

  const [file, argv] = options.shell
    ? ['/bin/sh', ['-c', options.command, 'sh', ...(options.args ?? [])]]
    : [options.command, [...(options.args ?? [])]];
  const maxCapture = options.maxCaptureBytes ?? DEFAULT_MAX_CAPTURE_BYTES;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;

  return new Promise<ProcessResult>((resolve, reject) => {
    const child = options.launch(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      // Without input the process reads end-of-file at once (/dev/null) instead of waiting forever.
      stdin: options.stdin !== undefined,
    });
    const { stdout: stdoutPipe, stderr: stderrPipe } = child;
    const stdout = collect(stdoutPipe, maxCapture, (line) => {
      log.stdout(line);
    });
    const stderr = collect(stderrPipe, maxCapture, (line) => {
      log.stderr(line);
    });
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const killGroup = (sig: NodeJS.Signals): void => {
      // through the launcher helper, the pid arrives a moment after the start
      if (child.pid === undefined) {
        child.once('spawn', () => killGroup(sig));
        return;
      }
      try {
        process.kill(-child.pid, sig);
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const onAbort = (): void => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => {
        killGroup('SIGKILL');
      }, killGraceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
    };

    if (options.stdin !== undefined && child.stdin !== null) {
      // EPIPE when the process exits without reading its input is not an error of ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin);
    }

    child.once('error', (err: NodeJS.ErrnoException) => {
      // Emitted when spawning failed; 'close' may still follow, so settle here and detach.
      cleanup();
      reject(spawnError(options.command, options.shell === true, err));
    });
    child.once('exit', () => {
      drainTimer = setTimeout(() => {
        stdoutPipe.destroy();
        stderrPipe.destroy();
      }, DRAIN_AFTER_EXIT_MS);
    });
    child.once('close', (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      cleanup();
      // Survivors of the group (children that ignored SIGTERM) must not outlive an aborted step.
      if (aborted) killGroup('SIGKILL');
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: stdout.finish(),
        stderr: stderr.finish(),
        aborted,
      });
    });
  });
}

interface Collector {
  /** Flushes the last unterminated line and returns the captured tail. */
  finish(): string;
}

function collect(stream: Readable, maxCapture: number, onLine: (line: string) => void): Collector {
  const tail = new TailBuffer(maxCapture);
  const decoder = new StringDecoder('utf8');
  const splitter = new LineSplitter(onLine);
  let finished = false;
  const flush = (): void => {
    if (finished) return;
    finished = true;
    splitter.push(decoder.end());
    splitter.end();
  };
  stream.on('data', (chunk: Buffer) => {
    tail.write(chunk);
    splitter.push(decoder.write(chunk));
  });
  stream.once('close', flush);
  return {
    finish: () => {
      flush();
      return tail.toString();
    },
  };
}

async function assertDirectory(cwd: string): Promise<void> {
  const info = await stat(cwd).catch(() => undefined);
  if (info?.isDirectory() !== true) {
    throw new StepError('STEP_FAILED', `working directory not found: ${cwd}`);
  }
}

function spawnError(command: string, shell: boolean, err: NodeJS.ErrnoException): StepError {
  const name = shell ? '/bin/sh' : command;
  if (err.code === 'ENOENT') return new StepError('STEP_FAILED', `command not found: ${name}`, { cause: err });
  if (err.code === 'EACCES') return new StepError('STEP_FAILED', `command not executable: ${name}`, { cause: err });
  // EAGAIN, EMFILE, ENOMEM…: the machine is busy, another attempt may succeed.
  return new StepError('STEP_FAILED', `cannot start ${name}: ${err.message}`, { cause: err, retryable: true });
}
