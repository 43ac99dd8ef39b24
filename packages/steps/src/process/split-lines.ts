/** Result of splitting buffered text: the complete lines and the unterminated remainder. */
export interface SplitLines {
  lines: string[];
  rest: string;
}

/**
 * Splits `text` on `\n` into complete lines (a trailing `\r` is dropped, so `\r\n` works) and
 * returns the unterminated tail separately, to be prefixed to the next chunk.
 */
export function splitLines(text: string): SplitLines {
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts.map(stripCarriageReturn), rest };
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /**
   * A line longer than this many characters is emitted in pieces, so output without newlines
   * (a progress bar, binary data) cannot grow memory without bound.
   * @default 65536
   */
  maxLineLength?: number;
}

/** Turns a stream of text chunks into lines; call `end()` to flush a final unterminated line. */
export class LineSplitter {
  readonly #onLine: (line: string) => void;
  readonly #maxLineLength: number;
  #pending = '';

  constructor(onLine: (line: string) => void, options: LineSplitterOptions = {}) {
    this.#onLine = onLine;
    this.#maxLineLength = options.maxLineLength ?? 65_536;
  }

  push(chunk: string): void {
    const { lines, rest } = splitLines(this.#pending + chunk);
    for (const line of lines) this.#onLine(line);
    this.#pending = rest;
    while (this.#pending.length > this.#maxLineLength) {
      this.#onLine(this.#pending.slice(0, this.#maxLineLength));
      this.#pending = this.#pending.slice(this.#maxLineLength);
    }
  }

  end(): void {
    if (this.#pending !== '') this.#onLine(stripCarriageReturn(this.#pending));
    this.#pending = '';
  }
}
