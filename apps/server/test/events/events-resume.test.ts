import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW } from '../helpers/api.js';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { listenForAgents, startTestServer } from '../helpers/server.js';
import { createUser } from '../tenancy/tenancy-helpers.js';
import { EventStreamReader, positionOf } from './event-stream-reader.js';
import type { StreamMessage } from './event-stream-reader.js';
import { startEventsFleet } from './events-fixtures.js';
import type { EventsFleet } from './events-fixtures.js';

/*
 * Resuming the UI event stream: real server, real cluster bus, real HTTP connections that drop.
 * Ids are `<epoch>.<n>` with `n` the ring position, so "no gap, no duplicate" is "contiguous n".
 */

const created = (m: StreamMessage) => m.event === 'job.created';

/** Whether positions follow one another by one. */
function contiguous(ids: (string | undefined)[]): boolean {
  const ns = ids.map(positionOf);
  return ns.every((n, i) => i === 0 || n === ns[i - 1]! + 1);
}

describe.each(DIALECTS)('UI event stream: resume [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let e: EventsFleet;
  /** Submits a job to the (never connected) agent `idle`: one `job.created`, nothing else. */
  const submit = async (): Promise<string> => {
    const res = await e.fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'idle' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  beforeAll(async () => {
    e = await startEventsFleet(dialect);
    await e.fleet.agent('idle', {}, { connect: false });
  }, 60_000);
  afterAll(() => e.close());

  it('replays exactly the events missed while disconnected, then goes on live', async () => {
    const first = await e.open(e.fleet.t.token);
    await first.next((m) => m.event === 'ready', 'ready');
    const before = [await submit(), await submit(), await submit()];
    await first.next(() => first.events().length === 3, 'three jobs');
    await first.close();
    const lastSeen = first.events().at(-1)?.id;

    const missed = [await submit(), await submit(), await submit(), await submit()];
    const second = await e.open(e.fleet.t.token, '', { lastEventId: lastSeen });
    const ready = await second.next((m) => m.event === 'ready', 'ready');
    expect(ready).toMatchObject({ id: lastSeen, data: { resumed: true } });
    await second.next(() => second.events().length === 4, 'the missed jobs');
    const after = [await submit(), await submit()];
    await second.next(() => second.events().length === 6, 'the live jobs');

    const all = [...first.events(), ...second.events()];
    expect(all.every(created)).toBe(true);
    expect(all.map((m) => m.data.jobId)).toEqual([...before, ...missed, ...after]);
    expect(contiguous(all.map((m) => m.id))).toBe(true);
    expect(second.messages.some((m) => m.event === 'reset')).toBe(false);
  });

  it('takes the id from ?lastEventId= too, and the Last-Event-ID header over it', async () => {
    const first = await e.open(e.fleet.t.token);
    const ready = await first.next((m) => m.event === 'ready', 'ready');
    await first.close();
    const job = await submit();
    const byQuery = await e.open(e.fleet.t.token, `?lastEventId=${ready.id}`);
    expect((await byQuery.next(created, 'the job')).data.jobId).toBe(job);
    expect(byQuery.messages[0]?.data).toEqual({ resumed: true });
    // EventSource reconnects with its first URL and the newest id in the header.
    const byHeader = await e.open(e.fleet.t.token, '?lastEventId=0.1', { lastEventId: ready.id! });
    expect((await byHeader.next(created, 'the job')).data.jobId).toBe(job);
    expect(byHeader.messages[0]?.data).toEqual({ resumed: true });
  });

  it('answers an id of another process (or any unknown id) with reset, then goes on live', async () => {
    for (const unknown of ['0123abcd.3', 'garbage', `${'f'.repeat(12)}.99999999`]) {
      const stream = await e.open(e.fleet.t.token, `?lastEventId=${encodeURIComponent(unknown)}`);
      await stream.next((m) => m.event === 'reset', 'reset');
      expect(stream.messages.map((m) => [m.event, m.data])).toEqual([
        ['ready', { resumed: false }],
        ['reset', { reason: 'unknown-id' }],
      ]);
      const job = await submit();
      expect((await stream.next(created, 'a live job')).data.jobId).toBe(job);
      await stream.close();
    }
  });

  it('answers an id whose successors the ring dropped with reset (expired)', async () => {
    const first = await e.open(e.fleet.t.token);
    const ready = await first.next((m) => m.event === 'ready', 'ready');
    await first.close();
    // More events than the ring keeps (10,000), of a scope nobody here reads.
    for (let i = 0; i <= 10_000; i++)
      await e.bus.events.publish({ type: 'job.created', tenantId: 'ten_x', projectId: 'prj_x', jobId: `job_${i}` });
    const second = await e.open(e.fleet.t.token, '', { lastEventId: ready.id! });
    await second.next((m) => m.event === 'reset', 'reset');
    expect(second.messages.map((m) => [m.event, m.data])).toEqual([
      ['ready', { resumed: false }],
      ['reset', { reason: 'expired' }],
    ]);
  });

  it('a client that stops reading holds a bounded buffer, and gets reset (fell-behind) when it reads again', async () => {
    const scope = await e.scopeOf();
    const url = new URL(`${e.base}/events?types=job.created`);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(url, { headers: { authorization: `Bearer ${e.fleet.t.token}` } }, resolve).on('error', reject);
    });
    res.setEncoding('utf8');
    let text = '';
    res.on('data', (chunk: string) => (text += chunk));
    await new Promise((r) => setTimeout(r, 50));
    expect(text).toMatch(/^id: .*\nevent: ready\n/);
    res.pause();
    // Far more than the socket buffers take, and than the ring keeps after the client stopped.
    const id = (i: number) => `job_${String(i).padStart(190, '0')}`;
    const count = 60_000;
    for (let i = 0; i < count; i++) {
      await e.bus.events.publish({ type: 'job.created', ...scope, jobId: id(i) });
      // Turns of the event loop between bursts: the socket passes to the kernel what it takes.
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 100));
    res.resume();
    // The reset says "re-read": what happened before it, a job submitted meanwhile included, is
    // in what the client reads then; what happens after it comes as events.
    await waitFor(() => text.includes('fell-behind'));
    const last = await submit();
    await waitFor(() => text.includes(last));
    res.destroy();

    const blocks = text.split('\n\n').filter((b) => b.includes('event: '));
    const parsed = blocks.map((b) => ({
      id: /^id: (.*)$/m.exec(b)?.[1],
      event: /^event: (.*)$/m.exec(b)?.[1],
      data: JSON.parse(/^data: (.*)$/m.exec(b)?.[1] ?? '{}') as Record<string, unknown>,
    }));
    const reset = parsed.findIndex((m) => m.event === 'reset');
    expect(reset).toBeGreaterThan(1);
    expect(parsed[reset]?.data).toEqual({ reason: 'fell-behind' });
    // What came before the reset is a contiguous run of the published events, in order...
    const early = parsed.slice(1, reset);
    expect(contiguous(early.map((m) => m.id))).toBe(true);
    expect(early.map((m) => m.data.jobId)).toEqual(early.map((_, i) => id(i)));
    // ...far fewer than were published; after it, the stream goes on from the newest event.
    expect(early.length).toBeLessThan(count - 10_000);
    expect(parsed.slice(reset + 1).map((m) => m.data.jobId)).toEqual([last]);
    expect(positionOf(parsed.at(-1)?.id)).toBe(positionOf(parsed[reset]?.id) + 1);
  }, 60_000);

  it('ends the stream with a problem when the session that opened it ends', async () => {
    const user = await createUser(e.fleet.t.server, e.fleet.t.token, { username: 'leaving', role: 'admin' });
    const stream = await e.open(user.token);
    await stream.next((m) => m.event === 'ready', 'ready');
    const logout = await e.fleet.t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(logout.statusCode).toBeLessThan(300);
    const problem = await stream.next((m) => m.event === 'problem', 'problem');
    expect(problem.data).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    await stream.ended;
  });
});

describe('UI event stream: shutdown', () => {
  it('ends open streams when the server closes', async () => {
    const t = await startTestServer();
    const base = (await listenForAgents(t)).replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
    const stream = await EventStreamReader.open(`${base}/events`, t.token);
    await stream.next((m) => m.event === 'ready', 'ready');
    await t.close();
    await stream.ended;
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
