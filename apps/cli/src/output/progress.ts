/** A one-line status on stderr that rewrites itself; silent when stderr is not a terminal. */
export interface Progress {
  /** Shows `text` (throttled to a few updates per second). */
  update(text: string): void;
  /** Clears the line so the final output starts clean. */
  done(): void;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Minimum time between two repaints. @default 100 */
  intervalMs?: number;
}

/** Progress for long waits (SPEC §9): only on a TTY, so scripts and pipes stay quiet. */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const interval = options.intervalMs ?? 100;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
