/**
 * Keeps the last `maxBytes` bytes written to it: a process's output is captured for step
 * outputs without letting a chatty process exhaust memory (the tail holds the error, usually).
 */
export class TailBuffer {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #truncated = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** True once bytes were dropped from the front. */
  get truncated(): boolean {
    return this.#truncated;
  }

  write(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    let first = this.#chunks[0];
    while (this.#size > this.#maxBytes && first !== undefined) {
      const excess = this.#size - this.#maxBytes;
      this.#truncated = true;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
      }
      first = this.#chunks[0];
    }
  }

  toString(): string {
    return Buffer.concat(this.#chunks, this.#size).toString('utf8');
  }
}
