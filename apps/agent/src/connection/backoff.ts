/**
 * Exponential backoff with FULL jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): the n-th delay is uniform in [0, min(cap, base·2ⁿ)). Full jitter spreads a
 * reconnect storm after a control-plane restart evenly over the window instead of in waves.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const window = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * window);
}

/** A stateful backoff: `next()` grows the window, `reset()` after a success. */
export class Backoff {
  readonly #baseMs: number;
  readonly #capMs: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: { baseMs: number; capMs: number; random?: () => number }) {
    this.#baseMs = options.baseMs;
    this.#capMs = options.capMs;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  next(): number {
    const delay = fullJitterDelay(this.#attempt, this.#baseMs, this.#capMs, this.#random);
    this.#attempt += 1;
    return delay;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
