import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { useRouter } from 'vue-router';
import { JobDetailSchema, LogLineSchema, type JobDetail, type LogLine } from '@flotilla/protocol';
import { responseError, SseParser } from '@flotilla/client';
import { requestHeaders } from '../api/client';
import { describeError, errorCode, isUnauthenticated } from '../api/errors';
import { useSessionStore } from '../stores/session';
import { useLogBuffer, type LogBuffer } from './useLogBuffer';

/**
 * `connecting`: first connection; `live`: streaming; `retrying`: the stream dropped, reconnecting
 * from the last line received; `ended`: the job is over and every line is here; `failed`: the job
 * cannot be followed (`error` says why).
 */
export type JobFollowStatus = 'connecting' | 'live' | 'retrying' | 'ended' | 'failed';

export interface UseJobFollowOptions {
  jobId: string;
}

export interface JobFollow {
  /** The job as last streamed (`GET /jobs/:id`: runs, steps, rollout…). */
  job: ShallowRef<JobDetail | undefined>;
  /** Every line of the job received so far, in order, each once. */
  logs: LogBuffer;
  status: Ref<JobFollowStatus>;
  error: Ref<string | null>;
}

/** Lines are handed to the view at most this often: one render for a burst of lines. */
const FLUSH_MS = 50;
const MAX_BACKOFF_MS = 10_000;

class StreamEnded extends Error {}

/**
 * Follows one job live over `GET /jobs/:id/logs?follow=1`: its lines (backlog, then live) and its
 * state on every run or step change, until it ends. A dropped stream is resumed with
 * `after=<last seq received>`, so no line is missed or shown twice; while it is down, `status`
 * is `retrying`. Everything stops when the calling scope ends.
 */
export function useJobFollow(options: UseJobFollowOptions): JobFollow {
  const job = shallowRef<JobDetail>();
  const logs = useLogBuffer();
  const status = ref<JobFollowStatus>('connecting');
  const error = ref<string | null>(null);
  const session = useSessionStore();
  const router = useRouter();
  const controller = new AbortController();
  let pending: LogLine[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;

  function flush(): void {
    flushTimer = undefined;
    const batch = pending;
    pending = [];
    logs.append(batch);
  }

  function received(line: LogLine): void {
    // The last seq is what the buffer holds plus what waits to be flushed.
    const last = pending.at(-1)?.seq ?? logs.lastSeq();
    if (line.seq <= last) return;
    pending.push(line);
    flushTimer ??= setTimeout(flush, FLUSH_MS);
  }

  function lastSeq(): number {
    return pending.at(-1)?.seq ?? logs.lastSeq();
  }

  function setJob(value: JobDetail): void {
    job.value = value;
  }

  /** One connection: resolves when the job ended, throws when the stream failed or closed early. */
  async function connectOnce(signal: AbortSignal): Promise<void> {
    const url = new URL(`/api/v1/jobs/${encodeURIComponent(options.jobId)}/logs`, window.location.origin);
    url.searchParams.set('follow', '1');
    url.searchParams.set('after', String(lastSeq()));
    const response = await fetch(url, {
      headers: { ...requestHeaders('GET'), accept: 'text/event-stream' },
      signal,
    });
    if (!response.ok) throw await responseError(response);
    if (response.body === null) throw new Error('the log stream has no body');
    status.value = 'live';
    let ended = false;
    const parser = new SseParser((event) => {
      if (event.event === 'log') received(LogLineSchema.parse(JSON.parse(event.data)));
      else if (event.event === 'state') setJob(JobDetailSchema.parse(JSON.parse(event.data)));
      else if (event.event === 'end') {
        if (flushTimer !== undefined) clearTimeout(flushTimer);
        flush();
        setJob(JobDetailSchema.parse(JSON.parse(event.data)));
        ended = true;
      }
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      while (!ended) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    if (!ended) throw new StreamEnded('the log stream closed before the job ended');
  }

  async function run(signal: AbortSignal): Promise<void> {
    let backoff = 500;
    while (!signal.aborted) {
      try {
        await connectOnce(signal);
        status.value = 'ended';
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (isUnauthenticated(err)) {
          session.expire();
          await router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
          return;
        }
        const code = errorCode(err);
        if (code === 'JOB_NOT_FOUND' || code === 'FORBIDDEN') {
          error.value = describeError(err);
          status.value = 'failed';
          return;
        }
        // A stream that had delivered lines starts again at once; a refused connection waits.
        if (err instanceof StreamEnded) backoff = 500;
      }
      status.value = 'retrying';
      // Jittered: after a control-plane restart, every open job page does not come back at once.
      await new Promise((resolve) => setTimeout(resolve, backoff * (0.5 + Math.random() / 2)));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  void run(controller.signal);
  onScopeDispose(() => {
    controller.abort();
    if (flushTimer !== undefined) clearTimeout(flushTimer);
  });
  return { job, logs, status, error };
}
