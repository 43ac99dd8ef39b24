import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogSearchHitSchema } from '@flotilla/protocol';
import { MemoryCluster } from '@flotilla/server';
import type { ClusterBus, ClusterEvent } from '@flotilla/server';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { WORKFLOW } from '../helpers/api.js';
import { startFleet, waitForJob } from '../jobs/fleet-helpers.js';
import type { Fleet } from '../jobs/fleet-helpers.js';

interface SseEvent {
  event: string;
  data: any;
}

/** Reads a `text/event-stream` response until it ends, handing every event to `onEvent`. */
async function readSse(res: Response, onEvent: (e: SseEvent) => void): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(':')) continue;
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      const e = { event, data };
      events.push(e);
      onEvent(e);
    }
  }
  return events;
}

describe.each(DIALECTS)('job logs [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  let base: string;
  /** While set, `job.logs` events are held back here instead of being published (see below). */
  let held: ClusterEvent[] | undefined;
  let publish: ClusterBus['events']['publish'];
  beforeAll(async () => {
    // The server's own bus, with a hand on its publish: a bus between replicas may deliver
    // notifications late and in any order.
    const bus = new MemoryCluster({ onError: (err) => console.error(err) }).join();
    publish = bus.events.publish.bind(bus.events);
    const reordering: ClusterBus = {
      ...bus,
      events: {
        subscribe: bus.events.subscribe.bind(bus.events),
        publish: (event) => {
          if (held === undefined || event.type !== 'job.logs') return publish(event);
          held.push(event);
          return Promise.resolve();
        },
      },
    };
    fleet = await startFleet(dialect, { parts: { bus: reordering } });
    base = fleet.url.replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
  });
  afterAll(() => fleet.close());

  it('stores a batch exactly once: duplicates and replays are ignored, the ack is cumulative', async () => {
    const agent = await fleet.agent('ingest-1');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'ingest-1' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    const ts = new Date().toISOString();
    const log = (seq: number, line: string) => ({
      seq: agent.seq + seq,
      runId,
      event: { kind: 'log', ts, step: 'say', stream: 'stdout', line },
    });
    const channel = agent.channel!;
    // 1, 2, 2 (duplicate inside the batch): the second 2 is ignored. (Gaps: hub/event-delivery.test.ts.)
    channel.send({ type: 'run.events', items: [log(1, 'one'), log(2, 'two'), log(2, 'two again')] });
    expect((await channel.next('event.ack')).seq).toBe(agent.seq + 2);
    // A replay of everything plus the new 3: only 3 is new.
    channel.send({ type: 'run.events', items: [log(1, 'one'), log(2, 'two'), log(3, 'three')] });
    expect((await channel.next('event.ack')).seq).toBe(agent.seq + 3);
    agent.seq += 3;
    const logs = (await fleet.client.get(`/jobs/${job.id}/logs`)).body;
    expect(logs.items.map((l: { seq: number; line: string }) => [l.seq, l.line])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  // PostgreSQL indexes a chunk's text in one tsvector, whose lexemes and positions must fit in
  // 1 MiB: short distinct words take about three times their text there. A frame the agent may send
  // (1 MiB) must always be storable, or the agent replays it forever.
  it('stores and indexes a frame full of distinct short words, and a single line near the frame limit', async () => {
    const agent = await fleet.agent('words-1');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'words-1' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    const ts = new Date().toISOString();
    let word = 0;
    const words = (bytes: number) => {
      const out: string[] = [];
      for (let size = 0; size < bytes; size += 5) out.push((word++).toString(36).padStart(4, 'a'));
      return out.join(' ');
    };
    const log = (seq: number, line: string) => ({
      seq: agent.seq + seq,
      runId,
      event: { kind: 'log', ts, step: 'say', stream: 'stdout', line },
    });
    const lines = Array.from({ length: 56 }, () => words(16 * 1024));
    const channel = agent.channel!;
    channel.send({ type: 'run.events', items: lines.map((line, i) => log(i + 1, line)) });
    expect((await channel.next('event.ack')).seq).toBe(agent.seq + 56);
    const huge = words(900 * 1024);
    channel.send({ type: 'run.events', items: [log(57, huge)] });
    expect((await channel.next('event.ack')).seq).toBe(agent.seq + 57);
    agent.seq += 57;
    const stored = (await fleet.client.get(`/jobs/${job.id}/logs?limit=100`)).body.items.map(
      (l: { line: string }) => l.line,
    );
    expect(stored).toEqual([...lines, huge]);
    const lastWord = lines.at(-1)!.split(' ').at(-1)!;
    const hits = (await fleet.client.get(`/logs/search?q=${lastWord}`)).body.items;
    expect(hits.map((h: { line: string }) => h.line)).toEqual([lines.at(-1)]);
  });

  it('gives log lines of all runs of a job one sequence, so `after` pages across runs', async () => {
    const a = await fleet.agent('seq-a', { role: 'seq' });
    const b = await fleet.agent('seq-b', { role: 'seq' });
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { selector: { role: 'seq' } } })).body;
    const [oa, ob] = [await a.offer(), await b.offer()];
    await a.finish(oa.runId, 'succeeded', ['a1', 'a2']);
    await b.finish(ob.runId, 'succeeded', ['b1', 'b2', 'b3']);
    const all = (await fleet.client.get(`/jobs/${job.id}/logs`)).body.items;
    expect(all.map((l: { seq: number }) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    const page = (await fleet.client.get(`/jobs/${job.id}/logs?after=1&limit=2`)).body;
    expect(page.items.map((l: { line: string }) => l.line)).toEqual(['a2', 'b1']);
    expect(page.nextCursor).toBe('3');
    expect(
      (await fleet.client.get(`/jobs/${job.id}/logs?after=${page.nextCursor}`)).body.items.map(
        (l: { line: string }) => l.line,
      ),
    ).toEqual(['b2', 'b3']);
  });

  it('follows a job over SSE: backlog, live lines, state changes, then end', async () => {
    const agent = await fleet.agent('follow-1');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'follow-1' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    await agent.report(runId, [
      { kind: 'run.started' },
      ...['old-1', 'old-2', 'old-3'].map((line) => ({
        kind: 'log' as const,
        step: 's',
        stream: 'stdout' as const,
        line,
      })),
    ]);
    const res = await fetch(`${base}/jobs/${job.id}/logs?follow=1&after=1`, {
      headers: { authorization: `Bearer ${fleet.t.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let sentLive = false;
    const events = await readSse(res, (e) => {
      // Once the backlog is through, the agent produces more and finishes.
      if (e.event === 'log' && e.data.line === 'old-3' && !sentLive) {
        sentLive = true;
        void agent.report(runId, [
          { kind: 'log', step: 's', stream: 'stderr', line: 'live-1' },
          { kind: 'log', step: 's', stream: 'stdout', line: 'live-2' },
          { kind: 'run.finished', state: 'succeeded', exitCode: 0 },
        ]);
      }
    });
    const lines = events
      .filter((e) => e.event === 'log')
      .map((e): [number, string] => [e.data.seq as number, e.data.line as string]);
    expect(lines).toEqual([
      [2, 'old-2'],
      [3, 'old-3'],
      [4, 'live-1'],
      [5, 'live-2'],
    ]);
    const end = events.at(-1)!;
    expect(end.event).toBe('end');
    expect(end.data).toMatchObject({ id: job.id, state: 'succeeded' });
    expect(events.filter((e) => e.event === 'state').every((e) => e.data.id === job.id)).toBe(true);
    // A finished job's stream is its backlog and `end` straight away.
    const again = await fetch(`${base}/jobs/${job.id}/logs?follow=1`, {
      headers: { authorization: `Bearer ${fleet.t.token}` },
    });
    const replay = await readSse(again, () => undefined);
    expect(replay.map((e) => e.event)).toEqual(['log', 'log', 'log', 'log', 'log', 'end']);
  });

  it('follow sends every line in seq order even when live events arrive out of order', async () => {
    // Changes committed together (group commit) are announced by their own connections, and a bus
    // between replicas may deliver late and in any order: here two runs' lines are stored, then
    // their notifications are delivered in reverse.
    const a = await fleet.agent('order-a', { role: 'order' });
    const b = await fleet.agent('order-b', { role: 'order' });
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { selector: { role: 'order' } } }))
      .body;
    const [oa, ob] = [await a.offer(), await b.offer()];
    a.ack(oa.runId);
    b.ack(ob.runId);
    const res = await fetch(`${base}/jobs/${job.id}/logs?follow=1`, {
      headers: { authorization: `Bearer ${fleet.t.token}` },
    });
    // The first `state` event comes once the (empty) backlog is sent: from then on lines are live.
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => (live = resolve));
    const reading = readSse(res, (e) => {
      if (e.event === 'state') live();
    });
    await isLive;
    // Hold back the notifications of the next two batches, then deliver them newest first.
    const notes: ClusterEvent[] = [];
    held = notes;
    try {
      await a.report(oa.runId, [
        { kind: 'log', step: 's', stream: 'stdout', line: 'a1' },
        { kind: 'log', step: 's', stream: 'stdout', line: 'a2' },
      ]);
      await b.report(ob.runId, [{ kind: 'log', step: 's', stream: 'stdout', line: 'b1' }]);
    } finally {
      held = undefined;
    }
    // The scope travels with the note (live views filter on it without a read).
    const scope = { tenantId: expect.stringMatching(/^ten_/), projectId: expect.stringMatching(/^prj_/) };
    expect(notes).toEqual([
      { type: 'job.logs', ...scope, jobId: job.id, runId: oa.runId, fromSeq: 1, toSeq: 2 },
      { type: 'job.logs', ...scope, jobId: job.id, runId: ob.runId, fromSeq: 3, toSeq: 3 },
    ]);
    for (const note of notes.reverse()) await publish(note);
    await a.report(oa.runId, [{ kind: 'run.finished', state: 'succeeded', exitCode: 0 }]);
    await b.report(ob.runId, [{ kind: 'run.finished', state: 'succeeded', exitCode: 0 }]);
    const events = await reading;
    const lines = events
      .filter((e) => e.event === 'log')
      .map((e): [number, string] => [e.data.seq as number, e.data.line as string]);
    expect(lines).toEqual([
      [1, 'a1'],
      [2, 'a2'],
      [3, 'b1'],
    ]);
    expect(events.at(-1)?.event).toBe('end');
  });

  it('finds a unique marker among thousands of lines, with highlight, scoped to the project', async () => {
    const agent = await fleet.agent('search-1');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'search-1' } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    for (let batch = 0; batch < 3; batch++) {
      const lines = Array.from({ length: 1500 }, (_, i) => {
        const n = batch * 1500 + i;
        const text =
          n === 2222
            ? `deploy step ok: MARKER-zq81x7 checksum ==> verified`
            : `request ${n} served in ${n % 97} ms from cache node-${n % 7}`;
        return { kind: 'log' as const, step: 'serve', stream: 'stdout' as const, line: text };
      });
      await agent.report(runId, lines);
    }
    await agent.report(runId, [{ kind: 'run.finished', state: 'succeeded', exitCode: 0 }]);
    await waitForJob(fleet, job.id, (j) => j.state === 'succeeded');

    const hit = await fleet.client.get('/logs/search?q=marker-zq81x7');
    expect(hit.status).toBe(200);
    expect(hit.body.items).toHaveLength(1);
    const found = LogSearchHitSchema.parse(hit.body.items[0]);
    expect(found).toMatchObject({ jobId: job.id, runId, agent: 'search-1', step: 'serve', seq: 2223 });
    expect(found.highlight).toBe('deploy step ok: [[MARKER-zq81x7]] checksum ==> verified');
    expect(hit.body.nextCursor).toBeNull();
    // A phrase, several terms, and a punctuation-only term (no index word: a LIKE fallback).
    expect(
      (await fleet.client.get(`/logs/search?q=${encodeURIComponent('"step ok" verified ==>')}`)).body.items.map(
        (h: { seq: number }) => h.seq,
      ),
    ).toEqual([2223]);
    // Many hits page with a cursor, newest first, without repeats.
    const first = (await fleet.client.get('/logs/search?q=node-3&limit=300')).body;
    const second = (await fleet.client.get(`/logs/search?q=node-3&limit=1000&cursor=${first.nextCursor}`)).body;
    const seqs: number[] = [...first.items, ...second.items].map((h: { seq: number }) => h.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.length).toBe(Array.from({ length: 4500 }, (_, n) => n).filter((n) => n !== 2222 && n % 7 === 3).length);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(first.items[0].highlight).toContain('[[node-3]]');
  });

  it('refuses an invalid search query with 400 SEARCH_QUERY_INVALID, never a 500', async () => {
    for (const q of ['"unbalanced', '""', '   ']) {
      const res = await fleet.client.get(`/logs/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(400);
      expect(res.body.code, q).toMatch(/^(SEARCH_QUERY_INVALID|VALIDATION_FAILED)$/);
    }
    expect((await fleet.client.get('/logs/search?q=%22unbalanced')).body.code).toBe('SEARCH_QUERY_INVALID');
    for (const q of ['AND OR NOT', 'a*', 'col:umn', '(', "it's", 'NEAR(x y)', '%_\\']) {
      const res = await fleet.client.get(`/logs/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
    expect((await fleet.client.get('/logs/search?q=x&cursor=garbage')).body.code).toBe('VALIDATION_FAILED');
  });
});

describe('job logs follow and shutdown', () => {
  it('ends open follow streams when the server closes', async () => {
    const fleet = await startFleet('sqlite');
    try {
      await fleet.agent('shut-1');
      const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'shut-1' } })).body;
      const base = fleet.url.replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
      const res = await fetch(`${base}/jobs/${job.id}/logs?follow=1`, {
        headers: { authorization: `Bearer ${fleet.t.token}` },
      });
      const reading = readSse(res, () => undefined);
      const started = Date.now();
      await fleet.t.server.close();
      expect(Date.now() - started).toBeLessThan(3000);
      const events = await reading;
      expect(events.map((e) => e.event)).not.toContain('end');
    } finally {
      await fleet.close();
    }
  });
});
