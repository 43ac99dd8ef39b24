import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { finished, PassThrough, Writable, type Readable } from 'node:stream';
import { LAUNCHER_HELPER_SOURCE } from './launcher-helper.js';
import { ProcessLedger } from './process-ledger.js';

/** How to start a process: always in its own process group, stdout and stderr piped. */
export interface LaunchOptions {
  readonly cwd?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Pipe stdin (else it is /dev/null). */
  readonly stdin: boolean;
}

/**
 * A started process, as `runProcess` uses it: the part of a `ChildProcess` it needs. Events:
 * `spawn`, `error` (could not start), `exit`, `close (code, signal)` once its output is read.
 */
export interface LaunchedProcess extends EventEmitter {
  /** Undefined until the process has started. */
  readonly pid: number | undefined;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable | null;
}

/** Starts processes for `runProcess`. */
export type Launch = (file: string, args: readonly string[], options: LaunchOptions) => LaunchedProcess;

/** `child_process.spawn` in this process. */
export const spawnDirectly: Launch = (file, args, options) =>
  spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    detached: true,
  }) as ChildProcess & LaunchedProcess;

// One helper process serves every user in this process (the fleet benchmark and tests run many
// agents in one process): a shared resource, counted by its users. What starts a step's
// processes is never chosen here: it is the `launch` each host passes in its step services.
let helperUsers = 0;
let helper: LauncherHelper | undefined;

/** Options of {@link useLauncherHelper}. */
export interface LauncherHelperOptions {
  /**
   * Where to keep the ledger of running processes (see `ProcessLedger`), so that a later start
   * can kill what a crash of this process and the helper together left behind. Only the first
   * user's file is used while several share the helper (one agent per process in production).
   * Call `killLeftoverProcesses` on it before: opening the ledger replaces the file.
   */
  readonly ledgerFile?: string | undefined;
}

/** A launcher helper in use: its `launch` goes into the step services; `release` when done. */
export interface LauncherHelperLease {
  readonly launch: Launch;
  readonly release: () => Promise<void>;
}

/**
 * Starts processes through a launcher helper: a small Node process that forks on this
 * process's behalf and relays the output. A fork copies the page tables of the process that
 * forks, and the parent then takes a copy-on-write fault for every page it writes; from an
 * agent with tens of MB of heap that costs milliseconds of its event loop per command, from the
 * helper a fraction of that. Until `release` is called by every user, one helper serves the whole
 * process; it starts at the first command and restarts after a crash (commands it was running
 * are killed and end with SIGKILL). The host (the agent, `flotilla run`) passes `launch` to its
 * steps in the step services (`createLocalServices({ launch })`, the agent's policy services).
 *
 * The helper also makes sure no command outlives this process: it runs in a session of its own
 * (a SIGKILL or Ctrl-C aimed at this process's group does not reach it) and, when its IPC
 * channel closes without a release — this process died, even by SIGKILL —, it kills every
 * process group it started before it exits.
 */
export function useLauncherHelper(options: LauncherHelperOptions = {}): LauncherHelperLease {
  helperUsers += 1;
  helper ??= new LauncherHelper(options.ledgerFile);
  const mine = helper;
  let released = false;
  return {
    launch: (file, args, launchOptions) => {
      if (released) throw new Error('launch after release: the launcher helper lease has ended');
      return mine.launch(file, args, launchOptions);
    },
    release: async () => {
      if (released) return;
      released = true;
      helperUsers -= 1;
      if (helperUsers > 0) return;
      helper = undefined;
      await mine.close();
    },
  };
}

interface HelperEvent {
  ev: 'spawn' | 'error' | 'stdout' | 'stderr' | 'exit' | 'close';
  id: number;
  pid?: number;
  /** With `spawn`: the process's start time (`/proc`), read before it could be reaped. */
  start?: string;
  data?: Uint8Array;
  code?: number | string | null;
  errno?: number;
  syscall?: string;
  message?: string;
  signal?: NodeJS.Signals | null;
}

class LauncherHelper {
  #child: ChildProcess | undefined;
  readonly #processes = new Map<number, HelperProcess>();
  #nextId = 1;
  /** The file to open at the first launch; cleared once tried (no `/proc`: there is no ledger). */
  #ledgerFile: string | undefined;
  #ledger: ProcessLedger | undefined;

  constructor(ledgerFile: string | undefined) {
    this.#ledgerFile = ledgerFile;
  }

  launch(file: string, args: readonly string[], options: LaunchOptions): LaunchedProcess {
    if (this.#ledgerFile !== undefined) {
      this.#ledger = ProcessLedger.open(this.#ledgerFile);
      this.#ledgerFile = undefined;
    }
    const child = this.#child ?? this.#start();
    const id = this.#nextId++;
    const process = new HelperProcess(id, options.stdin, (message) => child.send(message));
    this.#processes.set(id, process);
    child.channel?.ref();
    child.send({ op: 'spawn', id, file, args, cwd: options.cwd, env: options.env, stdin: options.stdin });
    return process;
  }

  async close(): Promise<void> {
    const child = this.#child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // the helper is unref'd while idle; waiting for its exit must keep this process alive, or an
      // `await release()` at the end of a command leaves nothing to run and Node exits with 13
      child.ref();
      child.disconnect();
      await exited;
    }
    this.#ledger?.close();
  }

  #start(): ChildProcess {
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '-e', LAUNCHER_HELPER_SOURCE], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      // only what the helper needs: it passes each command its own environment
      env: { PATH: process.env.PATH ?? '' },
      // its own session: a signal to this process's group (kill -9 -PGID, Ctrl-C) leaves it alive
      // to end the commands it started, which it does when this process goes
      detached: true,
    });
    this.#child = child;
    // a send to a helper that is going away fails here; its 'exit' then ends what it was running
    child.on('error', () => undefined);
    child.on('message', (message: HelperEvent) => {
      const target = this.#processes.get(message.id);
      if (target === undefined) return;
      if (message.ev === 'spawn' && message.pid !== undefined && message.start !== undefined) {
        this.#ledger?.started(message.pid, message.start);
      } else if (message.ev === 'close') {
        this.#processes.delete(message.id);
        if (target.pid !== undefined) this.#ledger?.ended(target.pid);
      }
      target.handle(message);
      if (this.#processes.size === 0) child.channel?.unref();
    });
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
      // the processes it was running lose their output: kill them rather than leave them behind
      for (const target of this.#processes.values()) {
        target.lost();
        if (target.pid !== undefined) this.#ledger?.ended(target.pid);
      }
      this.#processes.clear();
    });
    // an idle helper must not keep this process alive
    child.unref();
    child.channel?.unref();
    return child;
  }
}

class HelperProcess extends EventEmitter implements LaunchedProcess {
  pid: number | undefined;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable | null;
  #closed = false;

  constructor(id: number, withStdin: boolean, send: (message: object) => void) {
    super();
    this.stdin = withStdin
      ? new Writable({
          write: (chunk: Buffer, _encoding, done) => {
            send({ op: 'stdin', id, data: chunk });
            done();
          },
          final: (done) => {
            send({ op: 'stdin-end', id });
            done();
          },
        })
      : null;
    // destroying a stream here (runProcess gives up on output after the exit) stops the helper's
    const destroy = (): void => {
      if (!this.#closed) send({ op: 'destroy', id });
    };
    this.stdout.once('close', destroy);
    this.stderr.once('close', destroy);
  }

  handle(message: HelperEvent): void {
    switch (message.ev) {
      case 'spawn':
        this.pid = message.pid;
        this.emit('spawn');
        break;
      case 'stdout':
      case 'stderr':
        if (message.data !== undefined && this[message.ev].writable) this[message.ev].write(Buffer.from(message.data));
        break;
      case 'error':
        this.emit(
          'error',
          Object.assign(new Error(message.message ?? 'spawn failed'), {
            code: message.code,
            errno: message.errno,
            syscall: message.syscall,
          }),
        );
        break;
      case 'exit':
        this.emit('exit');
        break;
      case 'close':
        this.#close(
          message.code === undefined || typeof message.code === 'string' ? null : message.code,
          message.signal ?? null,
        );
        break;
    }
  }

  /** The helper died: the process is killed, its output ends here. */
  lost(): void {
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // ESRCH: already gone
      }
    }
    this.emit('exit');
    this.#close(null, 'SIGKILL');
  }

  /** `close` comes once both streams have delivered what was written to them. */
  #close(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#closed) return;
    this.#closed = true;
    let open = 2;
    const done = (): void => {
      open -= 1;
      if (open === 0) this.emit('close', code, signal);
    };
    for (const stream of [this.stdout, this.stderr]) {
      finished(stream, () => done());
      if (stream.writable) stream.end();
    }
  }
}
