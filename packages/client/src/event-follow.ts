import { isFlotillaError } from '@flotilla/protocol';
import type { HttpClient } from './http-client.js';
import { streamEvents, type StreamEventsOptions } from './event-stream.js';

export interface FollowEventsOptions extends StreamEventsOptions {
  /**
   * The stream dropped (`error`: why, when it did not simply close); a new one is tried after a
   * backoff. `onOpen` says when it is back.
   */
  onDisconnect?: ((error: unknown) => void) | undefined;
  /** First wait before reconnecting, doubled after each failed try. @default 250 */
  minDelayMs?: number | undefined;
  /** Longest wait before reconnecting. @default 10_000 */
  maxDelayMs?: number | undefined;
}

/** Waits `ms`, or less when `signal` aborts meanwhile. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Follows the UI event stream for as long as `signal` lets it: when the stream drops, it
 * reconnects with a growing backoff and resumes after the last event id it got, so events
 * arrive once each and in order across drops (or a `reset` says some were missed). Resolves when
 * `signal` aborts; rejects with the server's `FlotillaError` when it refuses the stream (`4xx`:
 * the session ended, the rights are gone, the query is invalid), which a retry cannot mend.
 */
export async function followEvents(http: HttpClient, options: FollowEventsOptions): Promise<void> {
  const { signal } = options;
  const minDelayMs = options.minDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  let lastEventId = options.lastEventId;
  let failures = 0;
  // A function, not a narrowed property: the signal aborts while the loop awaits.
  const aborted = () => signal?.aborted === true;
  while (!aborted()) {
    let error: unknown;
    try {
      const end = await streamEvents(http, {
        ...options,
        lastEventId,
        onOpen: (ready) => {
          failures = 0;
          lastEventId = ready.id;
          options.onOpen?.(ready);
        },
        onEvent: (event, id) => {
          lastEventId = id;
          options.onEvent(event, id);
        },
      });
      lastEventId = end.lastEventId ?? lastEventId;
    } catch (err) {
      if (aborted()) return;
      if (isFlotillaError(err) && err.status < 500) throw err;
      error = err;
    }
    options.onDisconnect?.(error);
    await pause(Math.min(maxDelayMs, minDelayMs * 2 ** failures), signal);
    failures++;
  }
}
