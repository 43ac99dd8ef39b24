import http from 'node:http';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { UiEventType } from '@flotilla/protocol';
import { streamUiEvents } from '../../src/events/event-stream.js';
import { UiEventRing } from '../../src/events/ui-event-ring.js';
import { EventStreamReader } from './event-stream-reader.js';

/*
 * The stream writer on a real HTTP connection, with the timings a test can wait for (the route
 * uses 15 s heartbeats and a 60 s stall limit) and rights the test changes while it streams.
 */

const mine = { tenantId: 'ten_1', projectId: 'prj_1' };
const theirs = { tenantId: 'ten_2', projectId: 'prj_2' };
const created = (scope: typeof mine, n: number) => ({
  ...scope,
  event: { type: 'job.created' as const, jobId: `job_${n}` },
});

interface Harness {
  app: FastifyInstance;
  url: string;
  ring: UiEventRing;
  /** The types the next recheck grants. */
  rights: Set<UiEventType>;
}

let open: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of open.splice(0)) await app.close();
});

async function serve(options: { heartbeatMs: number; stallMs?: number; maxBufferedBytes?: number }): Promise<Harness> {
  const ring = new UiEventRing();
  const rights = new Set<UiEventType>(['job.created']);
  const streams = new Set<() => void>();
  // The test's fetch keeps connections alive for seconds; closing the app need not wait for them.
  const app = Fastify({ forceCloseConnections: true });
  app.addHook('preClose', () => {
    for (const end of [...streams]) end();
    return Promise.resolve();
  });
  app.get('/events', (request, reply) => {
    streamUiEvents({
      ring,
      reply,
      filter: { ...mine, types: new Set(rights), jobId: undefined },
      lastEventId: request.headers['last-event-id'] as string | undefined,
      streams,
      recheck: () => Promise.resolve(new Set(rights)),
      signal: new AbortController().signal,
      log: pino({ level: 'silent' }),
      ...options,
    });
    return reply;
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  open.push(app);
  return { app, url: `${address}/events`, ring, rights };
}

describe('UI event stream writer', () => {
  it('moves the client’s id past events not for it with each heartbeat, so a resume finds them kept', async () => {
    const h = await serve({ heartbeatMs: 30 });
    const stream = await EventStreamReader.open(h.url, 'unused');
    await stream.next((m) => m.event === 'ready', 'ready');
    h.ring.push(created(mine, 1));
    for (let n = 2; n <= 20; n++) h.ring.push(created(theirs, n));
    await stream.next((m) => m.event === 'job.created', 'its event');
    await waitFor(() => stream.lastId === h.ring.idOf(h.ring.latest));
    expect(stream.events().map((m) => m.data.jobId)).toEqual(['job_1']);
    await stream.close();
    // Resuming from the heartbeat's id replays nothing twice and misses nothing.
    h.ring.push(created(mine, 21));
    const again = await EventStreamReader.open(h.url, 'unused', { lastEventId: stream.lastId! });
    await again.next((m) => m.event === 'job.created', 'the event after');
    expect(again.messages.map((m) => [m.event, m.data.jobId ?? m.data])).toEqual([
      ['ready', { resumed: true }],
      ['job.created', 'job_21'],
    ]);
    await again.close();
  });

  it('checks the rights again on each heartbeat: narrowed, it filters; gone, it ends with FORBIDDEN', async () => {
    const h = await serve({ heartbeatMs: 30 });
    h.rights.add('run.changed');
    const stream = await EventStreamReader.open(h.url, 'unused');
    await stream.next((m) => m.event === 'ready', 'ready');
    h.rights.delete('job.created');
    await new Promise((r) => setTimeout(r, 100));
    h.ring.push(created(mine, 1));
    const run = { type: 'run.changed' as const, jobId: 'job_1', runId: 'run_1', agentId: 'agt_1' };
    h.ring.push({ ...mine, event: { ...run, jobState: 'running', runState: 'running' } });
    await stream.next((m) => m.event === 'run.changed', 'the run event');
    expect(stream.events().map((m) => m.event)).toEqual(['run.changed']);
    h.rights.clear();
    const problem = await stream.next((m) => m.event === 'problem', 'problem');
    expect(problem.data).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    await stream.ended;
  });

  it('cuts off a client that reads nothing for the stall limit', async () => {
    const h = await serve({ heartbeatMs: 20, stallMs: 100, maxBufferedBytes: 1024 });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(h.url, resolve).on('error', reject);
    });
    res.pause();
    const closed = new Promise<void>((resolve) => res.socket.once('close', () => resolve()));
    // Enough to fill the socket buffers and then the allowance of text waiting for them.
    const padding = 'x'.repeat(180);
    for (let n = 1; n <= 40_000; n++) {
      h.ring.push({ ...mine, event: { type: 'job.created', jobId: `job_${padding}${n}` } });
      if (n % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await closed;
  });

  it('ends its streams when the server closes', async () => {
    const h = await serve({ heartbeatMs: 1000 });
    const stream = await EventStreamReader.open(h.url, 'unused');
    await stream.next((m) => m.event === 'ready', 'ready');
    await h.app.close();
    open = [];
    await stream.ended;
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
