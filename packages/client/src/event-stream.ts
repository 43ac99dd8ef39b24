import {
  apiRoutes,
  EventStreamReadySchema,
  EventStreamResetSchema,
  FlotillaError,
  ProblemSchema,
  routePath,
  UiEventSchema,
  UiEventTypeSchema,
} from '@flotilla/protocol';
import type { z } from 'zod';
import type { EventStreamReady, EventStreamReset, UiEvent, UiEventType } from '@flotilla/protocol';
import { FlotillaClientError } from './client-error.js';
import { responseError, safeJson, type HttpClient } from './http-client.js';
import { SseParser, type SseEvent } from './sse-parser.js';

export interface StreamEventsOptions {
  /** Only these event types. @default every type */
  types?: readonly UiEventType[] | undefined;
  /** Only events of this job (agent events are left out). */
  jobId?: string | undefined;
  /** The project (name or id). @default the credential's default project */
  project?: string | undefined;
  /** Resume after this id: what the previous stream of the same query resolved with. */
  lastEventId?: string | undefined;
  /** Ends the stream; the returned promise then rejects with the abort reason. */
  signal?: AbortSignal | undefined;
  /** Called with each event, in order, with its id. */
  onEvent: (event: UiEvent, id: string) => void;
  /** The stream is open (`ready`): `resumed` when the events after `lastEventId` follow, none missed. */
  onOpen?: ((ready: EventStreamReady & { id: string }) => void) | undefined;
  /** Events were missed and will not come: re-read what is shown. */
  onReset?: ((reset: EventStreamReset) => void) | undefined;
}

/** How a stream ended without an error: where the next one resumes. */
export interface EventStreamEnd {
  /** The id to resume after (the last complete event's or heartbeat's); `undefined` if none came. */
  lastEventId: string | undefined;
}

/** The query of `GET /api/v1/events` for these options. */
function queryOf(options: StreamEventsOptions): Record<string, string | undefined> {
  return {
    types: options.types === undefined ? undefined : options.types.join(','),
    jobId: options.jobId,
    project: options.project,
    lastEventId: options.lastEventId,
  };
}

function invalid(detail: string): FlotillaClientError {
  return new FlotillaClientError('invalid-response', `unexpected event stream from GET /api/v1/events: ${detail}`);
}

/** Parses one message's JSON data with `schema`, or fails as an answer the contract does not allow. */
function parseData<T>(schema: z.ZodType<T>, e: SseEvent): T {
  const parsed = schema.safeParse(safeJson(e.data));
  if (!parsed.success) throw invalid(`a malformed ${e.event} event`);
  return parsed.data;
}

/**
 * Follows `GET /api/v1/events` (server-sent events over `fetch`, so it works in Node and in the
 * browser, where a same-origin session cookie goes along) until the stream ends. Resolves with
 * the id to resume after when the server or the network ended it; the caller reconnects
 * (`followEvents` does, with backoff). Rejects with the server's `FlotillaError` when it refused
 * the stream or ended it with a `problem` (a revoked session: `UNAUTHENTICATED`), with a
 * `FlotillaClientError` when it cannot be reached, and with the abort reason when aborted.
 */
export async function streamEvents(http: HttpClient, options: StreamEventsOptions): Promise<EventStreamEnd> {
  options.signal?.throwIfAborted();
  const response = await http.fetch({
    path: routePath(apiRoutes.events.stream),
    query: queryOf(options),
    accept: 'text/event-stream',
    stream: true,
    signal: options.signal,
  });
  if (!response.ok) throw await responseError(response);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    await response.body?.cancel();
    throw invalid(`content type ${response.headers.get('content-type') ?? 'none'}`);
  }
  let failure: Error | undefined;
  const parser = new SseParser((e) => {
    failure ??= handle(e, options);
  });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (reader === undefined) return { lastEventId: options.lastEventId };
  try {
    while (failure === undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch (err) {
    // A dropped connection ends the stream like a close: the caller resumes. An abort is the caller's.
    options.signal?.throwIfAborted();
    if (!(err instanceof TypeError)) throw err;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (failure !== undefined) throw failure;
  return { lastEventId: parser.lastEventId ?? options.lastEventId };
}

/** Handles one message; returns the error that ends the stream, if it is one. */
function handle(e: SseEvent, options: StreamEventsOptions): Error | undefined {
  try {
    switch (e.event) {
      case 'ready':
        options.onOpen?.({ ...parseData(EventStreamReadySchema, e), id: e.id ?? '' });
        return undefined;
      case 'reset':
        options.onReset?.(parseData(EventStreamResetSchema, e));
        return undefined;
      case 'problem': {
        const problem = parseData(ProblemSchema, e);
        return new FlotillaError(problem.code, { detail: problem.detail, errors: problem.errors });
      }
      default:
        // Event types of a newer server are left to newer clients.
        if (!UiEventTypeSchema.safeParse(e.event).success) return undefined;
        if (e.id === undefined) throw invalid(`a ${e.event} event without an id`);
        options.onEvent(parseData(UiEventSchema, e), e.id);
        return undefined;
    }
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
