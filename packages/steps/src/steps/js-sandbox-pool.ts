import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SANDBOX_WORKER_SOURCE } from './js-sandbox-worker.js';

/** One script to run in the sandbox. */
export interface SandboxJob {
  source: string;
  /** JSON text of the `input` global. */
  inputJson: string;
  timeoutMs: number;
  memoryLimitMb: number;
  signal: AbortSignal;
  onLog(stream: 'stdout' | 'stderr', text: string): void;
}

export type SandboxResult =
  | { ok: true; /** JSON of the returned value; undefined when it returned nothing. */ json: string | undefined }
  | { ok: false; kind: 'timeout' | 'aborted' | 'memory' | 'error' | 'crash'; message: string };

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'log'; id: number; stream: 'stdout' | 'stderr'; text: string }
  | ({ type: 'done'; id: number } & SandboxResult);

interface Pending {
  id: number;
  job: SandboxJob;
  settle(result: SandboxResult): void;
}

/** How long a worker may ignore an abort or overrun its deadline before it is terminated. */
const KILL_GRACE_MS = 1000;
/** Idle workers stop after this long, so an agent that ran one script does not keep them. */
const IDLE_MS = 60_000;
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism()));
const quickjsPath = createRequire(import.meta.url).resolve('quickjs-emscripten');

/**
 * One worker thread with one QuickJS module whose wasm memory is capped at `memoryLimitMb`
 * (see js-sandbox-worker.ts); it runs one script at a time.
 */
class SandboxWorker {
  readonly memoryLimitMb: number;
  readonly #worker: Worker;
  #current: Pending | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #retired = false;

  constructor(memoryLimitMb: number) {
    this.memoryLimitMb = memoryLimitMb;
    this.#worker = new Worker(SANDBOX_WORKER_SOURCE, { eval: true, workerData: { quickjsPath, memoryLimitMb } });
    // An idle worker must not keep a CLI process alive; `start` refs it while a script runs.
    this.#worker.unref();
    this.#worker.on('message', (message: WorkerMessage) => {
      this.#onMessage(message);
    });
    this.#worker.on('error', (err) => {
      this.#end({ ok: false, kind: 'crash', message: `the sandbox worker failed: ${err.message}` });
    });
    this.#worker.on('exit', () => {
      this.#end({ ok: false, kind: 'crash', message: 'the sandbox worker exited' });
    });
  }

  start(pending: Pending): void {
    clearTimeout(this.#idleTimer);
    this.#worker.ref();
    const abortFlag = new Int32Array(new SharedArrayBuffer(4));
    const { job } = pending;
    // The worker stops the script itself at the deadline or on abort; these timers are the
    // backstop for a worker that does not answer in time.
    const kill = (kind: 'timeout' | 'aborted') =>
      setTimeout(() => {
        this.#end({ ok: false, kind, message: 'the script did not stop; its worker was terminated' });
      }, KILL_GRACE_MS);
    let killTimer = setTimeout(() => {
      killTimer = kill('timeout');
    }, job.timeoutMs);
    const onAbort = () => {
      Atomics.store(abortFlag, 0, 1);
      clearTimeout(killTimer);
      killTimer = kill('aborted');
    };
    job.signal.addEventListener('abort', onAbort, { once: true });
    this.#current = {
      ...pending,
      settle: (result) => {
        clearTimeout(killTimer);
        job.signal.removeEventListener('abort', onAbort);
        pending.settle(result);
      },
    };
    this.#worker.postMessage({
      id: pending.id,
      source: job.source,
      inputJson: job.inputJson,
      timeoutMs: job.timeoutMs,
      abort: abortFlag.buffer,
    });
  }

  /** Stops the worker; a script still running gets `result`. */
  retire(): void {
    this.#end({ ok: false, kind: 'crash', message: 'the sandbox worker was stopped' });
  }

  #onMessage(message: WorkerMessage): void {
    if (message.type === 'ready') return;
    if (message.type === 'fatal') {
      this.#end({ ok: false, kind: 'crash', message: `the sandbox could not load QuickJS: ${message.message}` });
      return;
    }
    const current = this.#current;
    if (current === undefined || message.id !== current.id) return;
    if (message.type === 'log') {
      current.job.onLog(message.stream, message.text);
      return;
    }
    const { type: _type, id: _id, ...result } = message;
    // After running out of memory the worker exits by itself (its wasm memory stays grown).
    if (!result.ok && (result.kind === 'memory' || result.kind === 'crash')) {
      this.#end(result);
      return;
    }
    this.#current = undefined;
    this.#worker.unref();
    current.settle(result);
    this.#idleTimer = setTimeout(() => {
      this.retire();
    }, IDLE_MS).unref();
    workerFree(this);
  }

  /** Takes the worker out of the pool for good and settles its script, if any. */
  #end(result: SandboxResult): void {
    const current = this.#current;
    this.#current = undefined;
    current?.settle(result);
    if (this.#retired) return;
    this.#retired = true;
    clearTimeout(this.#idleTimer);
    void this.#worker.terminate();
    workerGone(this);
  }
}

const workers = new Set<SandboxWorker>();
const idle: SandboxWorker[] = [];
const queue: Pending[] = [];
let nextId = 1;

function workerFree(worker: SandboxWorker): void {
  idle.push(worker);
  dispatch();
}

function workerGone(worker: SandboxWorker): void {
  workers.delete(worker);
  const index = idle.indexOf(worker);
  if (index >= 0) idle.splice(index, 1);
  queueMicrotask(dispatch);
}

/** Starts queued scripts on idle workers of the same memory limit, growing the pool to its cap. */
function dispatch(): void {
  while (queue.length > 0) {
    const next = queue[0];
    if (next === undefined) return;
    const limit = next.job.memoryLimitMb;
    let worker = idle.find((w) => w.memoryLimitMb === limit);
    if (worker === undefined && workers.size >= MAX_WORKERS) {
      // Trade an idle worker of another memory limit for one of this limit.
      idle[0]?.retire();
    }
    if (worker === undefined && workers.size < MAX_WORKERS) {
      worker = new SandboxWorker(limit);
      workers.add(worker);
    } else if (worker !== undefined) {
      idle.splice(idle.indexOf(worker), 1);
    }
    if (worker === undefined) return;
    queue.shift();
    worker.start(next);
  }
}

/** Runs a script in the sandbox pool; never rejects (failures are `ok: false` results). */
export function runInSandbox(job: SandboxJob): Promise<SandboxResult> {
  return new Promise((resolve) => {
    if (job.signal.aborted) {
      resolve({ ok: false, kind: 'aborted', message: 'aborted before the script started' });
      return;
    }
    const pending: Pending = { id: nextId++, job, settle: resolve };
    // A script still waiting for a worker leaves the queue when it is aborted.
    const onQueuedAbort = () => {
      const index = queue.indexOf(pending);
      if (index < 0) return;
      queue.splice(index, 1);
      resolve({ ok: false, kind: 'aborted', message: 'aborted before the script started' });
    };
    job.signal.addEventListener('abort', onQueuedAbort, { once: true });
    pending.settle = (result) => {
      job.signal.removeEventListener('abort', onQueuedAbort);
      resolve(result);
    };
    queue.push(pending);
    dispatch();
  });
}

/** Starts a sandbox worker ahead of the first `js` step (loading the wasm takes ~50 ms). */
export function warmJsSandbox(memoryLimitMb = 64): void {
  if (workers.size >= MAX_WORKERS || idle.some((w) => w.memoryLimitMb === memoryLimitMb)) return;
  const worker = new SandboxWorker(memoryLimitMb);
  workers.add(worker);
  idle.push(worker);
}
