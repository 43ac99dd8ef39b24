import { apiRoutes, JobSchema, LogLineSchema, routePath, type Job, type LogLine } from '@flotilla/protocol';
import { FlotillaClientError } from './client-error.js';
import { responseError, type HttpClient } from './http-client.js';
import { SseParser, type SseEvent } from './sse-parser.js';

export interface FollowJobOptions {
  /** Deliver only log lines after this sequence number. @default 0 */
  after?: number;
  /** Called with each log line, in order. */
  onLog?: (line: LogLine) => void;
  /** Called whenever the job or one of its runs changes state. */
  onState?: (job: Job) => void;
  /** Ends the wait; the returned promise rejects with the abort reason. */
  signal?: AbortSignal;
}

/** Reconnects to a stream that closed before `end`, at most this many times in a row without progress. */
const MAX_SILENT_RECONNECTS = 5;

/**
 * Follows `GET /jobs/:id/logs?follow=1` (SSE: `log`, `state`, `end`), reconnecting from the last
 * sequence seen if the stream drops. Resolves to the final job, or `undefined` when this server
 * does not stream (it answered 400/404/406 or plain JSON), so the caller can poll instead.
 */
export async function streamJob(http: HttpClient, id: string, options: FollowJobOptions): Promise<Job | undefined> {
  let after = options.after ?? 0;
  let silent = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const response = await http.fetch({
      path: routePath(apiRoutes.logs.list, { id }),
      query: { follow: 1, after },
      accept: 'text/event-stream',
      stream: true,
      signal: options.signal,
    });
    if (!response.ok) {
      const error = await responseError(response);
      if (error.code === 'JOB_NOT_FOUND' || ![400, 404, 406].includes(response.status)) throw error;
      return undefined;
    }
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await response.body?.cancel();
      return undefined;
    }
    const before = after;
    const result = await readEvents(response, options, (seq) => {
      after = Math.max(after, seq);
    });
    if (result !== undefined) return result;
    // Closed without `end` (restart, proxy timeout): resume from the last line seen.
    silent = after === before ? silent + 1 : 0;
    if (silent > MAX_SILENT_RECONNECTS) {
      throw new FlotillaClientError('stream-closed', `the log stream of job ${id} keeps closing before the job ends`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100 * silent));
  }
}

async function readEvents(
  response: Response,
  options: FollowJobOptions,
  seen: (seq: number) => void,
): Promise<Job | undefined> {
  let final: Job | undefined;
  const parser = new SseParser((event) => {
    final ??= handle(event, options, seen);
  });
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (reader === undefined) return undefined;
  try {
    while (final === undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(value);
    }
  } catch (err) {
    // A dropped connection is resumed by the caller; an abort is the caller's decision.
    options.signal?.throwIfAborted();
    if (!(err instanceof TypeError)) throw err;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return final;
}

/** Handles one event; returns the final job on `end`. */
function handle(event: SseEvent, options: FollowJobOptions, seen: (seq: number) => void): Job | undefined {
  switch (event.event) {
    case 'log': {
      const line = LogLineSchema.parse(JSON.parse(event.data));
      seen(line.seq);
      options.onLog?.(line);
      return undefined;
    }
    case 'state':
      options.onState?.(JobSchema.parse(JSON.parse(event.data)));
      return undefined;
    case 'end':
      return JobSchema.parse(JSON.parse(event.data));
    default:
      return undefined; // unknown events are for newer clients
  }
}
