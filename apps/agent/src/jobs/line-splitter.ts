import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; longer output is cut into pieces so one line cannot eat memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Turns a byte stream into lines: multi-byte UTF-8 characters split across chunks are decoded
 * correctly, `\r\n` and `\n` both end a line, and `flush()` returns a final unterminated line.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxChars: number;
  #partial = '';

  constructor(maxChars: number = MAX_LINE_CHARS) {
    this.#maxChars = maxChars;
  }

  /** Complete lines found in `chunk` (without their terminators). */
  push(chunk: Buffer | string): string[] {
    const text = this.#partial + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    const lines: string[] = [];
    for (const part of parts) lines.push(...this.#cut(part.endsWith('\r') ? part.slice(0, -1) : part));
    while (this.#partial.length > this.#maxChars) {
      lines.push(this.#partial.slice(0, this.#maxChars));
      this.#partial = this.#partial.slice(this.#maxChars);
    }
    return lines;
  }

  /** The rest of the stream: a last line without a terminator, if any. */
  flush(): string[] {
    const rest = this.#partial + this.#decoder.end();
    this.#partial = '';
    if (rest === '') return [];
    return this.#cut(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }

  #cut(line: string): string[] {
    if (line.length <= this.#maxChars) return [line];
    const pieces: string[] = [];
    for (let i = 0; i < line.length; i += this.#maxChars) pieces.push(line.slice(i, i + this.#maxChars));
    return pieces;
  }
}
