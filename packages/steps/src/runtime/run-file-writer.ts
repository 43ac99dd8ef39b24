import type { FileHandle } from 'node:fs/promises';

interface Pending {
  text: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Appends to one open journal file. Appends that arrive while a write is in flight are
 * gathered into the next batch: one `write` + one `fdatasync` for all of them, so concurrent
 * steps share the cost of durability. A failed write poisons the writer: the file may end in a
 * partial line, and appending after it would bury that damage mid-file.
 */
export class RunFileWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly durable: boolean,
  ) {}

  append(text: string): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ text, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    await this.flushing;
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (this.failure !== undefined) throw this.failure;
        const data = Buffer.from(batch.map((p) => p.text).join(''), 'utf8');
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
        // fdatasync is enough for appends: it also flushes the size change needed to read them back
        if (this.durable) await this.handle.datasync();
        for (const p of batch) p.resolve();
      } catch (error) {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = undefined;
  }
}
