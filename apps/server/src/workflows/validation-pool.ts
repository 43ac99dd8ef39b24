import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { FlotillaError } from '@flotilla/protocol';
import type { DocumentVerdict } from './document-verdict.js';

export interface ValidationPoolOptions {
  logger: Pick<FastifyBaseLogger, 'error'>;
  /** Worker threads at most, started on first use and reused. @default one core less than the machine has, 1 or 2 */
  workers?: number | undefined;
  /** Documents waiting for a worker at most; more are refused with `SERVICE_UNAVAILABLE`. @default 16 */
  maxQueued?: number | undefined;
  /**
   * How long one document may take in a worker before the worker is terminated. A maximal
   * document takes 1–3 s of CPU, up to 17 s on a heavily loaded 2-core machine.
   * @default 60_000
   */
  timeoutMs?: number | undefined;
}

/** The worker's heap cap: a maximal document needs up to ~450 MB (a 1 MiB flat list); a runaway one ends its worker only. */
const WORKER_HEAP_MB = 1024;

/**
 * The ESM entry of `tsx/esm/api` (its `register()` works in a worker thread, unlike
 * `--import tsx`), found through the package's exports map: a CommonJS resolve would give the
 * CommonJS entry.
 */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: { './esm/api': { import: { default: string } } } };
  return pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api'].import.default)).href;
}

/**
 * How to start the worker: `validation-worker.js` next to this file in the build; from the
 * TypeScript sources (Vitest, `tsx` benchmarks) the `.ts` file through tsx, with the
 * `@flotilla/source` condition so that the worker runs the same sources as the tests.
 */
function workerEntry(): { filename: string | URL; options: WorkerOptions } {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./validation-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return { filename: entry, options: {} };
  const boot = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { filename: boot, options: { eval: true, execArgv: ['--conditions=@flotilla/source'] } };
}

interface Task {
  id: number;
  document: string;
  resolve(verdict: DocumentVerdict): void;
  reject(err: FlotillaError): void;
}

type WorkerAnswer = { id: number; verdict: DocumentVerdict } | { id: number; error: string };

/** One worker thread; validates one document at a time. */
class ValidationThread {
  readonly #worker: Worker;
  #task: Task | undefined;
  #timer: NodeJS.Timeout | undefined;
  #gone = false;

  constructor(
    private readonly pool: {
      timeoutMs: number;
      logger: ValidationPoolOptions['logger'];
      free(t: ValidationThread): void;
      gone(t: ValidationThread): void;
    },
  ) {
    const { filename, options } = workerEntry();
    this.#worker = new Worker(filename, { ...options, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    // An idle worker must not keep the process alive; `run` refs it while it works.
    this.#worker.unref();
    this.#worker.on('message', (answer: WorkerAnswer) => {
      this.#answer(answer);
    });
    this.#worker.on('error', (err) => {
      pool.logger.error({ err }, 'validation worker failed');
      this.#end(
        new FlotillaError('INTERNAL', { detail: 'An internal error occurred; see the server log', cause: err }),
      );
    });
    this.#worker.on('exit', () => {
      this.#end(new FlotillaError('INTERNAL', { detail: 'An internal error occurred; see the server log' }));
    });
  }

  run(task: Task): void {
    this.#task = task;
    this.#worker.ref();
    this.#timer = setTimeout(() => {
      const seconds = this.pool.timeoutMs / 1000;
      this.#end(
        new FlotillaError('WORKFLOW_VALIDATION_TIMEOUT', {
          detail: `Validating the document took more than ${seconds} s and was stopped; the server may be busy (retry later) or the document too complex`,
        }),
      );
    }, this.pool.timeoutMs);
    this.#worker.postMessage({ id: task.id, document: task.document });
  }

  /** Stops the worker; a document it was validating gets `err`. */
  end(err: FlotillaError): void {
    this.#end(err);
  }

  #answer(answer: WorkerAnswer): void {
    const task = this.#task;
    if (task === undefined || answer.id !== task.id) return;
    clearTimeout(this.#timer);
    this.#task = undefined;
    this.#worker.unref();
    if ('verdict' in answer) {
      task.resolve(answer.verdict);
    } else {
      const cause = new Error(answer.error);
      this.pool.logger.error({ err: cause }, 'workflow validation threw');
      task.reject(new FlotillaError('INTERNAL', { detail: 'An internal error occurred; see the server log', cause }));
    }
    this.pool.free(this);
  }

  #end(err: FlotillaError): void {
    clearTimeout(this.#timer);
    const task = this.#task;
    this.#task = undefined;
    task?.reject(err);
    if (this.#gone) return;
    this.#gone = true;
    void this.#worker.terminate();
    this.pool.gone(this);
  }
}

/**
 * A small pool of worker threads that validate large workflow documents off the event loop
 * (parsing 1 MiB of YAML costs seconds of CPU). Workers start on first use and are reused; a
 * bounded queue refuses work past `maxQueued` with `SERVICE_UNAVAILABLE`; a worker that takes
 * longer than `timeoutMs` is terminated and its document answered `WORKFLOW_VALIDATION_TIMEOUT`.
 */
export class ValidationPool {
  readonly #workers: number;
  readonly #maxQueued: number;
  readonly #timeoutMs: number;
  readonly #logger: ValidationPoolOptions['logger'];
  readonly #threads = new Set<ValidationThread>();
  readonly #idle: ValidationThread[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #started = 0;
  #closed = false;

  constructor(options: ValidationPoolOptions) {
    this.#workers = options.workers ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.#maxQueued = options.maxQueued ?? 16;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#logger = options.logger;
  }

  /** The document's verdict, computed in a worker thread. */
  validate(document: string): Promise<DocumentVerdict> {
    if (this.#closed)
      return Promise.reject(new FlotillaError('SERVICE_UNAVAILABLE', { detail: 'The server is shutting down' }));
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        new FlotillaError('SERVICE_UNAVAILABLE', {
          detail: 'Too many large workflow documents are being validated; retry shortly',
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, document, resolve, reject });
      this.#dispatch();
    });
  }

  /** Workers running now, documents waiting, and workers started so far (replacements included). */
  stats(): { workers: number; queued: number; started: number } {
    return { workers: this.#threads.size, queued: this.#queue.length, started: this.#started };
  }

  /** Refuses new work, fails queued and running documents, and stops every worker. */
  close(): void {
    this.#closed = true;
    const shutdown = new FlotillaError('SERVICE_UNAVAILABLE', { detail: 'The server is shutting down' });
    for (const task of this.#queue.splice(0)) task.reject(shutdown);
    for (const thread of [...this.#threads]) thread.end(shutdown);
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let thread = this.#idle.pop();
      if (thread === undefined && this.#threads.size < this.#workers) {
        thread = new ValidationThread({
          timeoutMs: this.#timeoutMs,
          logger: this.#logger,
          free: (t) => {
            this.#idle.push(t);
            this.#dispatch();
          },
          gone: (t) => {
            this.#threads.delete(t);
            const index = this.#idle.indexOf(t);
            if (index >= 0) this.#idle.splice(index, 1);
            // a replacement starts for the documents still waiting
            queueMicrotask(() => {
              this.#dispatch();
            });
          },
        });
        this.#threads.add(thread);
        this.#started++;
      }
      const task = thread === undefined ? undefined : this.#queue.shift();
      if (thread === undefined || task === undefined) return;
      thread.run(task);
    }
  }
}
