import { ref } from 'vue';
import { defineStore } from 'pinia';
import { SseParser } from '@flotilla/client';
import { projectForRequests } from '../api/client';

/** One event of the UI stream: its `type` and fields (see docs/api.md, "Event stream"). */
export interface LiveEvent {
  type: string;
  [field: string]: unknown;
}

export type LiveEventHandler = (event: LiveEvent) => void;
export type StreamStatus = 'idle' | 'connecting' | 'open' | 'retrying';

const MAX_BACKOFF_MS = 10_000;

/**
 * The one connection of this tab to `GET /api/v1/events`, shared by every page. It resumes from
 * the last event id after a drop (the server replays what was missed, or sends `reset` when it
 * cannot, and pages re-read their views); `status` drives the "connection lost" banner.
 */
export const useLiveEventsStore = defineStore('live-events', () => {
  const status = ref<StreamStatus>('idle');
  const handlers = new Set<LiveEventHandler>();
  let lastEventId: string | undefined;
  let controller: AbortController | undefined;

  function dispatch(event: LiveEvent): void {
    for (const handler of handlers) handler(event);
  }

  async function connectOnce(signal: AbortSignal): Promise<void> {
    const url = new URL('/api/v1/events', window.location.origin);
    if (lastEventId !== undefined) url.searchParams.set('lastEventId', lastEventId);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const project = projectForRequests();
    if (project !== undefined) headers['x-flotilla-project'] = project;
    const response = await fetch(url, { headers, signal });
    if (!response.ok || response.body === null) throw new Error(`event stream: HTTP ${response.status}`);
    status.value = 'open';
    const parser = new SseParser((sse) => {
      if (sse.id !== undefined && sse.id !== '') lastEventId = sse.id;
      const fields = sse.data === '' ? {} : (JSON.parse(sse.data) as Record<string, unknown>);
      dispatch({ ...fields, type: sse.event });
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.feed(value);
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted) {
      status.value = lastEventId === undefined ? 'connecting' : 'retrying';
      try {
        await connectOnce(signal);
        backoff = 500;
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      status.value = 'retrying';
      // Jittered backoff: a control-plane restart is not met by every tab at once.
      await new Promise((resolve) => setTimeout(resolve, backoff * (0.5 + Math.random() / 2)));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** Opens the stream (once per tab, while signed in). */
  function start(): void {
    if (controller !== undefined) return;
    controller = new AbortController();
    void run(controller.signal);
  }

  /** Closes the stream (sign-out). */
  function stop(): void {
    controller?.abort();
    controller = undefined;
    lastEventId = undefined;
    status.value = 'idle';
  }

  /** Calls `handler` for every event until the returned function is called. */
  function subscribe(handler: LiveEventHandler): () => void {
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  return { status, start, stop, subscribe };
});
