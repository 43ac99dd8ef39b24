import type { FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError, TERMINAL_STATES } from '@flotilla/protocol';
import type { Job, LogLine } from '@flotilla/protocol';
import type { JobLog, JobUpdate } from '../jobs/job-events.js';
import { getJobById } from '../jobs/job-repo.js';
import type { ServerContext } from '../server-context.js';
import { readJobLogs } from './log-chunks.js';

/** Comment lines keep proxies and clients from timing out an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /jobs/:id/logs?follow=1` as Server-Sent Events: `log` events for every line after `after`
 * (the stored backlog first, then live lines), `state` with the job on every change, and `end`
 * with the final job once it is over, after which the stream closes. Live lines that arrive while
 * the backlog is read are buffered; lines go out in `seq` order (unique and gap-free per job), so
 * a gap is filled from the store and a line already sent is dropped.
 */
export async function followJob(options: {
  ctx: ServerContext;
  request: FastifyRequest;
  reply: FastifyReply;
  jobId: string;
  after: number;
  /** Open streams, ended by the server on shutdown (an open stream would hold `close()` forever). */
  streams: Set<() => void>;
  /**
   * Ends the stream when aborted (the credential that opened it was revoked or expired); a
   * `FlotillaError` reason is sent first as a `problem` event.
   */
  signal?: AbortSignal;
}): Promise<void> {
  const { ctx, request, reply, jobId, after, streams, signal } = options;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  let lastSeq = after;
  let closed = false;
  let backlogDone = false;
  const pending: LogLine[] = [];
  let chain: Promise<void> = Promise.resolve();

  const write = (event: string, data: unknown) => {
    if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sendLine = (line: LogLine) => {
    if (line.seq <= lastSeq) return;
    lastSeq = line.seq;
    write('log', line);
  };
  /**
   * A live line goes out directly when it is the next one. Live events can arrive out of `seq`
   * order (changes committed together are announced by their own connections, in any order): on a
   * gap the missing lines are committed already, so they are read from the store, in order.
   */
  const sendLive = (line: LogLine) => {
    if (line.seq <= lastSeq) return;
    if (line.seq === lastSeq + 1) sendLine(line);
    else chain = chain.then(drain).catch(() => finish());
  };
  const onLog = (log: JobLog) => {
    if (log.jobId !== jobId) return;
    if (backlogDone) sendLive(log.line);
    else pending.push(log.line);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener('abort', stop);
    streams.delete(finish);
    clearInterval(heartbeat);
    ctx.jobEvents.off('log', onLog);
    ctx.jobEvents.off('update', onUpdate);
    raw.end();
  };
  /** Sends stored lines not sent yet (a line may be committed before its live event is seen). */
  const drain = async () => {
    for (;;) {
      const page = await readJobLogs(ctx.store.db, jobId, { after: lastSeq, limit: 5000 });
      for (const line of page.items) sendLine(line);
      if (page.nextCursor === null || closed) return;
    }
  };
  const report = async (job: Job | undefined) => {
    if (job === undefined || closed) {
      finish();
      return;
    }
    if (TERMINAL_STATES.has(job.state)) {
      await drain();
      write('end', job);
      finish();
      return;
    }
    write('state', job);
  };
  const onUpdate = (update: JobUpdate) => {
    if (update.jobId !== jobId) return;
    chain = chain.then(async () => report(await getJobById(ctx.store.db, jobId))).catch(() => finish());
  };

  const heartbeat = setInterval(() => {
    if (!closed) raw.write(': heartbeat\n\n');
  }, HEARTBEAT_MS);
  /** Ended from outside: say why, then close. */
  function stop(): void {
    if (signal?.reason instanceof FlotillaError) write('problem', signal.reason.toProblem());
    finish();
  }

  // The response's `close` fires when the client goes away (or after `end`).
  raw.on('close', finish);
  streams.add(finish);
  if (signal?.aborted === true) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  ctx.jobEvents.on('log', onLog);
  ctx.jobEvents.on('update', onUpdate);
  try {
    await drain();
    backlogDone = true;
    for (const line of pending.splice(0).sort((a, b) => a.seq - b.seq)) sendLive(line);
    chain = chain.then(async () => report(await getJobById(ctx.store.db, jobId)));
    await chain;
  } catch (err) {
    request.log.warn({ err, jobId }, 'log follow failed');
    finish();
  }
}
