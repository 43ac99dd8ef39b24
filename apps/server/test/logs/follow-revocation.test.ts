import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW } from '../helpers/api.js';
import { ADMIN_PASSWORD } from '../helpers/server.js';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { startFleet } from '../jobs/fleet-helpers.js';
import type { Fleet } from '../jobs/fleet-helpers.js';

interface SseEvent {
  event: string;
  data: any;
}

/** An open SSE follow: its events as they come, and a promise settled when the server ends it. */
interface OpenStream {
  events: SseEvent[];
  ended: Promise<void>;
  /** Resolves once an event named `name` has arrived. */
  seen(name: string): Promise<void>;
  cancel(): Promise<void>;
}

function openStream(res: Response): OpenStream {
  const events: SseEvent[] = [];
  const waiters: { name: string; resolve: () => void }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) continue;
        const e = {
          event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
          data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'),
        };
        events.push(e);
        for (const w of waiters.filter((x) => x.name === e.event)) w.resolve();
      }
    }
  })();
  return {
    events,
    ended,
    seen: (name) =>
      events.some((e) => e.event === name)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ name, resolve })),
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

/** Whether the server ended the stream within `ms` (measured from now). */
async function endsWithin(stream: OpenStream, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([stream.ended.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Finding 13: a log-follow stream kept streaming after the token (or session) that opened it was
 * revoked or expired. Like a revoked agent, it must be closed within a second.
 */
describe.each(DIALECTS)('log follow ends with its credential [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  let base: string;
  const open: OpenStream[] = [];
  beforeAll(async () => {
    fleet = await startFleet(dialect);
    base = fleet.url.replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.cancel()));
    await fleet.close();
  });

  /** A job that stays running (its agent acknowledges it and reports nothing more). */
  async function runningJob(agentName: string): Promise<string> {
    const agent = await fleet.agent(agentName);
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: agentName } })).body;
    const { runId } = await agent.offer();
    agent.ack(runId);
    await agent.report(runId, [
      { kind: 'run.started' },
      { kind: 'log', step: 'say', stream: 'stdout', line: 'working' },
    ]);
    return job.id as string;
  }

  async function follow(jobId: string, bearer: string): Promise<OpenStream> {
    const res = await fetch(`${base}/jobs/${jobId}/logs?follow=1`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(res.status).toBe(200);
    const stream = openStream(res);
    open.push(stream);
    // The first `state` event comes once the backlog is sent: the stream is live.
    await stream.seen('state');
    return stream;
  }

  it('revoking the API token closes its stream within a second; other streams go on', async () => {
    const jobId = await runningJob('follow-revoke');
    const revoked = (await fleet.client.post('/api-tokens', { name: 'follower-a' })).body;
    const kept = (await fleet.client.post('/api-tokens', { name: 'follower-b' })).body;
    const doomed = await follow(jobId, revoked.token);
    const other = await follow(jobId, kept.token);

    expect((await fleet.client.delete(`/api-tokens/${revoked.id}`)).status).toBe(204);
    expect(await endsWithin(doomed, 1000)).toBe(true);
    expect(doomed.events.map((e) => e.event)).not.toContain('end');
    expect(doomed.events.at(-1)).toMatchObject({ event: 'problem', data: { code: 'UNAUTHENTICATED' } });
    expect(await endsWithin(other, 200)).toBe(false);
  });

  it('logging out closes the streams of that session within a second', async () => {
    const jobId = await runningJob('follow-logout');
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const stream = await follow(jobId, token);
    // A session lives 30 days, longer than one timer can wait: the stream must not end early.
    expect(await endsWithin(stream, 300)).toBe(false);
    const logout = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(204);
    expect(await endsWithin(stream, 1000)).toBe(true);
    expect(stream.events.map((e) => e.event)).not.toContain('end');
  });

  it('an expiring API token closes its stream when it expires', async () => {
    const jobId = await runningJob('follow-expiry');
    const created = (await fleet.client.post('/api-tokens', { name: 'short-lived', expiresIn: '3s' })).body;
    const stream = await follow(jobId, created.token);
    const expiresAt = Date.parse(created.expiresAt as string);
    expect(await endsWithin(stream, expiresAt - Date.now() + 1000)).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(stream.events.map((e) => e.event)).not.toContain('end');
  });
});
