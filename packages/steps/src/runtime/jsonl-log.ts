import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDirectory } from '@flotilla/node-kit';

export interface JsonlLogOptions {
  /** File mode of the log and its rewrites. @default 0o600 */
  readonly mode?: number | undefined;
  /**
   * The lines that make up the log's current state (each without its newline): what a rewrite
   * writes. Called only between batches, after every durable append has been applied.
   */
  readonly snapshot: () => string[];
  /** Rewrite once this many lines were appended since the last rewrite (read after each batch). */
  readonly rewriteAfter: () => number;
  /** fdatasync every batch and fsync rewrites. Turn off only for throwaway data. @default true */
  readonly durable?: boolean | undefined;
}

interface Pending {
  readonly text: string;
  readonly lines: number;
  readonly apply: (() => void) | undefined;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * An append-only JSON-lines file that holds some state, for one process at a time.
 *
 * - **Appends are batched**: lines that arrive while a write is in flight share the next write
 *   and its one fdatasync. `append` resolves once its lines are durable, and its `apply`
 *   callback runs just before, in append order, so what the caller keeps in memory is exactly
 *   what a restart would read back.
 * - **Torn lines are cut**: `open` returns only whole lines; a last line without its newline
 *   (a crash mid-write) was never acknowledged.
 * - **Rewrites are atomic**: at open and after `rewriteAfter()` appends, the file is replaced by
 *   `snapshot()` (fixed temp file, fsync, rename, directory fsync), so it stays about the size of
 *   the state. A crash leaves the old or the new file, and at most the temp file, which the next
 *   rewrite overwrites.
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

  private constructor(path: string, options: JsonlLogOptions) {
    this.path = path;
    this.#options = options;
    this.#mode = options.mode ?? 0o600;
    this.#durable = options.durable ?? true;
  }

  /**
   * Reads the whole lines of `path` (none when it does not exist) and hands them to `load`,
   * which builds the caller's state; then rewrites the file from `snapshot()`.
   */
  static async open(path: string, options: JsonlLogOptions, load: (lines: string[]) => void): Promise<JsonlLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const text = await readFile(path, 'utf8').catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    });
    load(
      text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .filter((line) => line !== ''),
    );
    const log = new JsonlLog(path, options);
    await log.#rewrite();
    return log;
  }

  /** Appends lines (each without a newline); resolves once they are durable, after `apply`. */
  append(lines: readonly string[], apply?: () => void): Promise<void> {
    const text = lines.map((line) => `${line}\n`).join('');
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ text, lines: lines.length, apply, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Waits for pending appends and closes the file. */
  async close(): Promise<void> {
    await this.#flushing;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        if (this.#damaged) await this.#rewrite();
        const handle = this.#handle ?? (this.#handle = await open(this.path, 'a', this.#mode));
        await handle.appendFile(batch.map((p) => p.text).join(''));
        // fdatasync is enough for appends: it also flushes the size change needed to read them back
        if (this.#durable) await handle.datasync();
      } catch (error) {
        this.#damaged = true;
        await this.#handle?.close().catch(() => undefined);
        this.#handle = undefined;
        for (const p of batch) p.reject(error);
        continue;
      }
      for (const p of batch) {
        this.#appended += p.lines;
        p.apply?.();
        p.resolve();
      }
      // amortised: a rewrite writes the state once, after at least `rewriteAfter()` appended lines
      if (this.#appended > this.#options.rewriteAfter()) await this.#rewrite().catch(() => (this.#damaged = true));
    }
    this.#flushing = undefined;
  }

  /** Replaces the file by the snapshot, atomically. Runs only while nothing is being appended. */
  async #rewrite(): Promise<void> {
    const text = this.#options
      .snapshot()
      .map((line) => `${line}\n`)
      .join('');
    // one process per file: a temp file left by a crash is simply overwritten
    const temp = `${this.path}.tmp`;
    const handle = await open(temp, 'w', this.#mode);
    try {
      await handle.writeFile(text);
      if (this.#durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await this.#handle?.close();
    this.#handle = undefined;
    await rename(temp, this.path);
    if (this.#durable) await fsyncDirectory(dirname(this.path));
    this.#appended = 0;
    this.#damaged = false;
  }
}
