import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { UiEvent, UiEventType } from '@flotilla/protocol';
import { client } from '../api/client';
import { isUnauthenticated } from '../api/errors';

/**
 * What a page hears: an event of the stream, or `reset` — the stream could not resume where it
 * dropped (the server restarted, the tab fell behind): re-read your view.
 */
export type LiveEvent = UiEvent | { type: 'reset' };
export type LiveEventType = UiEventType | 'reset';
export type LiveEventHandler = (event: LiveEvent) => void;
/** `idle`: not started; `open`: live; `retrying`: dropped, reconnecting; `ended`: the session is gone. */
export type StreamStatus = 'idle' | 'connecting' | 'open' | 'retrying' | 'ended';

/**
 * The one connection of this tab to `GET /api/v1/events`, shared by every page. The client's
 * `followEvents` reconnects with backoff and resumes after the last event id (the server replays
 * what was missed, or sends `reset`); `status` drives the "connection lost" banner. A new project
 * opens a new stream (a stream covers one project).
 */
export const useLiveEventsStore = defineStore('live-events', () => {
  const status = ref<StreamStatus>('idle');
  const handlers = new Set<LiveEventHandler>();
  let controller: AbortController | undefined;

  function dispatch(event: LiveEvent): void {
    for (const handler of handlers) handler(event);
  }

  /** Opens the stream (once per tab, while signed in). */
  function start(): void {
    if (controller !== undefined) return;
    const current = new AbortController();
    controller = current;
    status.value = 'connecting';
    let opened = false;
    client
      .followEvents({
        signal: current.signal,
        onOpen: (ready) => {
          status.value = 'open';
          // Back after a drop without a resume: everything may have changed meanwhile.
          if (opened && !ready.resumed) dispatch({ type: 'reset' });
          opened = true;
        },
        onEvent: (event) => dispatch(event),
        onReset: () => dispatch({ type: 'reset' }),
        onDisconnect: () => {
          if (!current.signal.aborted) status.value = 'retrying';
        },
      })
      .catch((err: unknown) => {
        // Only a refusal ends the loop (the session expired or was revoked): pages then meet the
        // same 401 on their next call and go to login.
        status.value = isUnauthenticated(err) ? 'ended' : 'retrying';
      })
      .finally(() => {
        if (controller === current) controller = undefined;
      });
  }

  /** Closes the stream (sign-out, project change). */
  function stop(): void {
    controller?.abort();
    controller = undefined;
    status.value = 'idle';
  }

  /** Calls `handler` for every event until the returned function is called. */
  function subscribe(handler: LiveEventHandler): () => void {
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  return { status, start, stop, subscribe };
});
