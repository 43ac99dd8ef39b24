import type { FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError, TERMINAL_STATES } from '@flotilla/protocol';
import type { JobDetail, LogLine } from '@flotilla/protocol';
import type { Unsubscribe } from '../cluster/cluster-bus.js';
import type { JobLogsEvent, RunChangedEvent, StepChangedEvent } from '../cluster/cluster-messages.js';
import { jobDetail, type StepGraphCache } from '../jobs/job-detail.js';
import { getJobById } from '../jobs/job-repo.js';
import type { ServerContext } from '../server-context.js';
import { readJobLogs } from './log-chunks.js';

/** Comment lines keep proxies and clients from timing out an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /jobs/:id/logs?follow=1` as Server-Sent Events: `log` events for every line after `after`
 * (the stored backlog first, then live lines), `state` with the job (as `GET /jobs/:id` gives it)
 * whenever a run or step changes, and `end` with the final job once it is over, after which the
 * stream closes. Live updates come from the cluster bus (`job.logs`, `run.changed`,
 * `step.changed`), whichever replica stored them; they say which lines are stored, and the lines
 * are read from the store from the last one sent, in `seq` order (unique and gap-free per job).
 * So a notification that arrives late, twice, or out of order never makes a gap or a repeat: the
 * stream is resumable with `after` = the last `seq` received.
 */
export async function followJob(options: {
  ctx: ServerContext;
  request: FastifyRequest;
  reply: FastifyReply;
  jobId: string;
  after: number;
  /** Open streams, ended by the server on shutdown (an open stream would hold `close()` forever). */
  streams: Set<() => void>;
  /** Step graphs of jobs already read (the `state` events carry the job in full). */
  graphs: StepGraphCache;
  /**
   * Ends the stream when aborted (the credential that opened it was revoked or expired); a
   * `FlotillaError` reason is sent first as a `problem` event.
   */
  signal?: AbortSignal;
}): Promise<void> {
  const { ctx, request, reply, jobId, after, streams, graphs, signal } = options;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let lastSeq = after;
  let closed = false;
  /** Reads and reports one after another (never two drains at once), in arrival order. */
  let chain: Promise<void> = Promise.resolve();
  const subscriptions: Unsubscribe[] = [];

  const write = (event: string, data: unknown) => {
    if (!closed) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const sendLine = (line: LogLine) => {
    if (line.seq <= lastSeq) return;
    lastSeq = line.seq;
    write('log', line);
  };
  const finish = () => {
    if (closed) return;
    closed = true;
    signal?.removeEventListener('abort', stop);
    streams.delete(finish);
    clearInterval(heartbeat);
    for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
    raw.end();
  };
  /** Sends the stored lines not sent yet, in order. */
  const drain = async () => {
    for (;;) {
      const page = await readJobLogs(ctx.store.db, jobId, { after: lastSeq, limit: 5000 });
      for (const line of page.items) sendLine(line);
      if (page.nextCursor === null || closed) return;
    }
  };
  const enqueue = (task: () => Promise<void>) => {
    chain = chain.then(task).catch((err: unknown) => {
      request.log.warn({ err, jobId }, 'log follow failed');
      finish();
    });
  };
  const onLogs = (stored: JobLogsEvent) => {
    // Lines sent already (an earlier drain read them) need no read.
    if (stored.jobId === jobId) enqueue(() => (stored.toSeq > lastSeq ? drain() : Promise.resolve()));
  };
  /** The job as `GET /jobs/:id` gives it (its steps included). */
  const readJob = async (): Promise<JobDetail | undefined> => {
    const job = await getJobById(ctx.store.db, jobId);
    return job === undefined ? undefined : jobDetail({ db: ctx.store.db, documents: ctx.documents, graphs }, job);
  };
  const report = async (job: JobDetail | undefined) => {
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
  /** A read of the job is waiting in the chain: changes that come meanwhile are in what it reads. */
  let reportQueued = false;
  const onUpdate = (update: RunChangedEvent | StepChangedEvent) => {
    if (update.jobId !== jobId || reportQueued) return;
    reportQueued = true;
    enqueue(async () => {
      reportQueued = false;
      await report(await readJob());
    });
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
  // Subscribed before the backlog is read: a line stored meanwhile is either in the backlog or
  // announced after it (and then read from where the backlog ended).
  if (closed) return;
  subscriptions.push(
    ctx.bus.events.subscribe('job.logs', onLogs),
    ctx.bus.events.subscribe('run.changed', onUpdate),
    ctx.bus.events.subscribe('step.changed', onUpdate),
  );
  enqueue(drain);
  enqueue(async () => report(await readJob()));
  await chain;
}
