import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '@flotilla/node-kit';

export interface JsonlLogOptions {
  /** File mode of the log and its rewrites. @default 0o600 */
  readonly mode?: number | undefined;
  /**
   * The lines that make up the log's current state (each without its newline): what a rewrite
   * writes. Called only between batches, after every durable append has been applied. Without
   * it the log is append-only: never rewritten, and a failed write fails every later append
   * too, since nothing could repair the file.
   */
  readonly snapshot?: (() => string[]) | undefined;
  /** Rewrite once this many lines were appended since the last rewrite (read after each batch). @default never */
  readonly rewriteAfter?: (() => number) | undefined;
  /** fdatasync every batch and fsync rewrites. Turn off only for throwaway data. @default true */
  readonly durable?: boolean | undefined;
}

interface Pending {
  readonly text: string;
  readonly lines: number;
  readonly apply: (() => void) | undefined;
  /** A `rewrite()` request: settled after the rewrite that follows its batch. */
  readonly rewrite: boolean;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * An append-only JSON-lines file, for one process at a time: the one way Flotilla appends
 * lines durably (the agent's run log, engine journal, event outbox and its quarantine, the
 * per-run journals of `flotilla run`).
 *
 * - **Appends are batched**: lines that arrive while a write is in flight share the next write
 *   and its one fdatasync. `append` resolves once its lines are durable, and its `apply`
 *   callback runs just before, in append order, so what the caller keeps in memory is exactly
 *   what a restart would read back.
 * - **Torn lines are cut**: `open` returns only whole lines; a last line without its newline
 *   (a crash mid-write) was never acknowledged, and is cut before anything is appended.
 * - **Rewrites are atomic** (a log with a `snapshot`): at open, after `rewriteAfter()` appends and
 *   on `rewrite()`, the file is replaced by `snapshot()` (fixed temp file, fsync, rename,
 *   directory fsync), so it stays about the size of the state. A crash leaves the old or the
 *   new file, and at most the temp file, which the next rewrite overwrites.
 * - **A failed write damages the log**: its batch is rejected (and not applied), and the next
 *   batch first repairs the file by a rewrite rather than append after a partial line.
 */
export class JsonlLog {
  readonly path: string;
  readonly #options: JsonlLogOptions;
  readonly #mode: number;
  readonly #durable: boolean;
  #handle: FileHandle | undefined;
  #appended = 0;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  #damaged = false;
  /** Why an append-only log refuses appends: a write failed, and nothing can repair it. */
  #failure: Error | undefined;

  private constructor(path: string, options: JsonlLogOptions) {
    this.path = path;
    this.#options = options;
    this.#mode = options.mode ?? 0o600;
    this.#durable = options.durable ?? true;
  }

  /**
   * Reads the whole lines of `path` (none when it does not exist) and hands them to `load`,
   * which builds the caller's state; then rewrites the file from `snapshot()`, or, for an
   * append-only log, cuts a torn last line and opens the file for appending.
   */
  static async open(path: string, options: JsonlLogOptions, load?: (lines: string[]) => void): Promise<JsonlLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const bytes = await readFile(path).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    });
    const whole = bytes === undefined ? 0 : bytes.lastIndexOf(0x0a) + 1;
    load?.((bytes?.toString('utf8', 0, whole) ?? '').split('\n').filter((line) => line !== ''));
    const log = new JsonlLog(path, options);
    if (options.snapshot !== undefined) await log.#rewrite();
    else await log.#openForAppend(bytes === undefined ? undefined : { whole, size: bytes.length });
    return log;
  }

  /** Appends lines (each without a newline); resolves once they are durable, after `apply`. */
  append(lines: readonly string[], apply?: () => void): Promise<void> {
    const text = lines.map((line) => `${line}\n`).join('');
    return this.#enqueue({ text, lines: lines.length, apply, rewrite: false });
  }

  /**
   * Rewrites the file from `snapshot()` once what was appended before is written: for a state
   * that changed without appends (lines the caller no longer needs, lines it changed).
   */
  rewrite(): Promise<void> {
    if (this.#options.snapshot === undefined) return Promise.reject(new Error('an append-only log is never rewritten'));
    return this.#enqueue({ text: '', lines: 0, apply: undefined, rewrite: true });
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.#flushing;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #enqueue(entry: Omit<Pending, 'resolve' | 'reject'>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ ...entry, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#damaged) await this.#rewrite();
        const text = batch.map((p) => p.text).join('');
        if (text !== '') {
          const handle = this.#handle ?? (this.#handle = await open(this.path, 'a', this.#mode));
          await handle.appendFile(text);
          // fdatasync is enough for appends: it also flushes the size change needed to read them back
          if (this.#durable) await handle.datasync();
        }
      } catch (error) {
        if (this.#options.snapshot === undefined)
          this.#failure ??= error instanceof Error ? error : new Error(String(error));
        else this.#damaged = true;
        await this.#handle?.close().catch(() => undefined);
        this.#handle = undefined;
        for (const p of batch) p.reject(error);
        continue;
      }
      for (const p of batch) {
        this.#appended += p.lines;
        p.apply?.();
        if (!p.rewrite) p.resolve();
      }
      await this.#rewriteAfter(batch);
    }
    this.#flushing = undefined;
  }

  /** Rewrites when asked to in this batch, or (amortised) after `rewriteAfter()` appended lines. */
  async #rewriteAfter(batch: readonly Pending[]): Promise<void> {
    const requests = batch.filter((p) => p.rewrite);
    const due = this.#appended > (this.#options.rewriteAfter?.() ?? Number.POSITIVE_INFINITY);
    if (requests.length === 0 && !due) return;
    try {
      await this.#rewrite();
      for (const p of requests) p.resolve();
    } catch (error) {
      this.#damaged = true;
      for (const p of requests) p.reject(error);
    }
  }

  /** Replaces the file by the snapshot, atomically. Runs only while nothing is being appended. */
  async #rewrite(): Promise<void> {
    const lines = this.#options.snapshot?.() ?? [];
    await this.#handle?.close();
    this.#handle = undefined;
    // one process per file: a temp file left by a crash is simply overwritten
    await writeFileAtomic(this.path, lines.map((line) => `${line}\n`).join(''), {
      mode: this.#mode,
      durable: this.#durable,
      tempPath: `${this.path}.tmp`,
    });
    this.#appended = 0;
    this.#damaged = false;
  }

  /** An append-only log: cut a torn last line, and make a new file's name durable. */
  async #openForAppend(existing: { whole: number; size: number } | undefined): Promise<void> {
    const handle = await open(this.path, 'a', this.#mode);
    try {
      if (existing !== undefined && existing.whole < existing.size) {
        await handle.truncate(existing.whole);
        if (this.#durable) await handle.datasync();
      }
      if (existing === undefined && this.#durable) await fsyncDirectory(dirname(this.path));
    } catch (err) {
      await handle.close();
      throw err;
    }
    this.#handle = handle;
  }
}
