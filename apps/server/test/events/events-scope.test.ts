import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UiEventSchema } from '@flotilla/protocol';
import { api, WORKFLOW } from '../helpers/api.js';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import { waitForJob } from '../jobs/fleet-helpers.js';
import { createTeamMember, createTenant, createUser } from '../tenancy/tenancy-helpers.js';
import type { StreamMessage } from './event-stream-reader.js';
import { startEventsFleet } from './events-fixtures.js';
import type { EventsFleet } from './events-fixtures.js';

/*
 * The UI event stream's scope: a real server, real (raw protocol) agents, the real cluster bus.
 * Absence is proved by order, never by waiting: the ring is one sequence, so once a stream got
 * an event published after another tenant's or project's, it has passed those over for good.
 */

const ofJob = (jobId: string) => (m: StreamMessage) => m.data?.jobId === jobId;

describe.each(DIALECTS)('UI event stream: access [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let e: EventsFleet;
  beforeAll(async () => {
    e = await startEventsFleet(dialect);
  }, 60_000);
  afterAll(() => e.close());

  it('needs a credential: 401 UNAUTHENTICATED as a problem document', async () => {
    const res = await e.fleet.t.server.app.inject({ method: 'GET', url: '/api/v1/events' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('refuses an unknown event type or an over-long id with 400 VALIDATION_FAILED', async () => {
    const client = e.fleet.client;
    const bad = await client.get('/events?types=run.changed,nope');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors[0]).toMatchObject({ in: 'query' });
    expect((await client.get('/events?types=')).body.code).toBe('VALIDATION_FAILED');
    expect((await client.get(`/events?lastEventId=${'1'.repeat(101)}`)).body.code).toBe('VALIDATION_FAILED');
    expect((await client.get('/events?since=1')).body.code).toBe('VALIDATION_FAILED');
  });

  it('sends a job’s events to its tenant and none to another tenant’s user', async () => {
    await createTenant(e.fleet.t.server, e.fleet.t.token, 'other');
    const other = await createUser(e.fleet.t.server, e.fleet.t.token, {
      username: 'other-admin',
      tenant: 'other',
      role: 'admin',
    });
    const mine = await e.open(e.fleet.t.token);
    const theirs = await e.open(other.token);
    const ready = await mine.next((m) => m.event === 'ready', 'ready');
    expect(ready.data).toEqual({ resumed: false });
    expect(mine.messages[0]?.event).toBe('ready');

    const agent = await e.fleet.agent('scope-a');
    const job = (await e.fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'scope-a' } })).body;
    const offer = await agent.offer();
    await agent.finish(offer.runId, 'succeeded', ['hello']);
    await waitForJob(e.fleet, job.id, (j) => j.state === 'succeeded');
    await mine.next(
      (m) => m.event === 'run.changed' && m.data.jobId === job.id && m.data.runState === 'succeeded',
      'the run’s end',
    );

    const seen = mine.events().filter(ofJob(job.id));
    expect(seen[0]).toMatchObject({ event: 'job.created', data: { type: 'job.created', jobId: job.id } });
    expect(seen.filter((m) => m.event === 'run.changed').map((m) => m.data.runState)).toEqual(
      expect.arrayContaining(['dispatched', 'running', 'succeeded']),
    );
    expect(seen.find((m) => m.event === 'job.logs')?.data).toMatchObject({
      jobId: job.id,
      runId: offer.runId,
      fromSeq: 1,
      toSeq: 1,
    });
    // Every event is one of the documented shapes, its SSE name is its type, and nothing else is sent.
    for (const m of mine.events()) expect(UiEventSchema.parse(m.data).type).toBe(m.event);
    expect(JSON.stringify(mine.events())).not.toMatch(/tenantId|projectId|ten_|prj_/);

    // Something of the other tenant, published after all of the above.
    const token = await createEnrollmentToken(e.fleet.t.server, other.token, { policy: 'require-approval' });
    const pending = await enrollAgent(e.fleet.t.server, { token, name: 'theirs-1' });
    await theirs.next((m) => m.event === 'agent.pending' && m.data.agentId === pending.agentId, 'their agent');
    expect(theirs.events().map((m) => m.data)).toEqual([
      { type: 'agent.pending', agentId: pending.agentId, name: 'theirs-1', keyChange: false },
    ]);
    expect(mine.events().some((m) => m.data.agentId === pending.agentId)).toBe(false);
  });

  it('sends a member only the events of projects its teams reach', async () => {
    const admin = e.fleet.client;
    expect((await admin.post('/projects', { name: 'secret-x' })).status).toBe(201);
    const member = await createTeamMember(e.fleet.t.server, e.fleet.t.token, {
      username: 'default-reader',
      team: 'default-readers',
      project: 'default',
      access: 'read-only',
    });
    // The project is the request's, as for every route: no grant on X, no stream of X.
    const refused = await api(e.fleet.t.server, member.token).get('/events?project=secret-x');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');

    const stream = await e.open(member.token);
    await stream.next((m) => m.event === 'ready', 'ready');
    const inX = await admin.post('/jobs?project=secret-x', {
      workflow: WORKFLOW,
      target: { agent: await xAgent() },
    });
    expect(inX.status, JSON.stringify(inX.body)).toBe(201);
    const inDefault = await admin.post('/jobs', { workflow: WORKFLOW, target: { agent: 'scope-a' } });
    await stream.next(ofJob(inDefault.body.id), 'the job of the default project');
    expect(stream.events().some(ofJob(inX.body.id))).toBe(false);

    async function xAgent(): Promise<string> {
      const token = await admin.post('/enrollment-tokens?project=secret-x', {});
      expect(token.status).toBe(201);
      return (await enrollAgent(e.fleet.t.server, { token: token.body.token as string, name: 'x-1' })).agentId;
    }
  });

  it('filters by type and by job', async () => {
    const admin = e.fleet.client;
    // Not connected: its runs stay queued until the cancel.
    await e.fleet.agent('filter-a', {}, { connect: false });
    const first = (await admin.post('/jobs', { workflow: WORKFLOW, target: { agent: 'filter-a' } })).body;
    const onlyCreated = await e.open(e.fleet.t.token, '?types=job.created');
    const onlyJob = await e.open(e.fleet.t.token, `?jobId=${first.id}`);
    await onlyCreated.next((m) => m.event === 'ready', 'ready');
    await onlyJob.next((m) => m.event === 'ready', 'ready');
    const second = (await admin.post('/jobs', { workflow: WORKFLOW, target: { agent: 'filter-a' } })).body;
    await admin.post(`/jobs/${first.id}/cancel`);
    await onlyCreated.next(ofJob(second.id), 'the second job');
    await onlyJob.next((m) => m.event === 'run.changed' && m.data.runState === 'cancelled', 'the cancel');
    expect(onlyCreated.events().every((m) => m.event === 'job.created')).toBe(true);
    expect(onlyJob.events().every(ofJob(first.id))).toBe(true);
  });

  it('announces a rollout’s next batch', async () => {
    const stream = await e.open(e.fleet.t.token, '?types=rollout.changed,run.changed');
    await stream.next((m) => m.event === 'ready', 'ready');
    const [one, two] = [
      await e.fleet.agent('roll-1', { role: 'roll' }),
      await e.fleet.agent('roll-2', { role: 'roll' }),
    ];
    const job = (
      await e.fleet.client.post('/jobs', {
        workflow: WORKFLOW,
        target: { selector: { role: 'roll' }, rollout: { batch_size: 1 } },
      })
    ).body;
    const firstAgent = await Promise.race([one.offer().then(() => one), two.offer().then(() => two)]);
    const [offer] = firstAgent.offers();
    await firstAgent.finish(offer!.runId, 'succeeded');
    const opened = await stream.next((m) => m.event === 'rollout.changed', 'the next batch');
    expect(opened.data).toEqual({ type: 'rollout.changed', jobId: job.id, activeBatch: 1 });
    const second = await stream.next(
      (m) => m.data.runState === 'dispatched' && m.data.runId !== offer!.runId,
      'the second dispatch',
    );
    // The next batch opened after the first run ended, and before its run was dispatched.
    const events = stream.events().filter(ofJob(job.id));
    const ended = events.findIndex((m) => m.data.runId === offer!.runId && m.data.runState === 'succeeded');
    expect(ended).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(opened)).toBeGreaterThan(ended);
    expect(events.indexOf(second)).toBeGreaterThan(events.indexOf(opened));
  });

  it('announces an agent’s whole lifecycle: pending, approved, online, labels, disabled, enabled, revoked, rejected, deleted', async () => {
    const stream = await e.open(e.fleet.t.token, '?types=agent.changed,agent.pending');
    await stream.next((m) => m.event === 'ready', 'ready');
    const admin = e.fleet.client;
    const token = await createEnrollmentToken(e.fleet.t.server, e.fleet.t.token, { policy: 'require-approval' });
    const enrolled = await enrollAgent(e.fleet.t.server, { token, name: 'life-1' });
    const id = enrolled.agentId;
    await stream.next((m) => m.event === 'agent.pending' && m.data.agentId === id, 'agent.pending');
    expect((await admin.post(`/agents/${id}/approve`)).status).toBe(200);
    const changes = async (n: number) => {
      await stream.next(
        () => stream.events().filter((m) => m.data.agentId === id && m.event === 'agent.changed').length >= n,
        `${n} changes`,
      );
      return stream
        .events()
        .filter((m) => m.data.agentId === id && m.event === 'agent.changed')
        .map((m) => m.data.change);
    };
    expect(await changes(1)).toEqual(['approved']);
    const agent = await e.fleet.agent('life-2');
    await stream.next((m) => m.data.agentId === agent.id && m.data.change === 'online', 'life-2 online');
    await agent.disconnect();
    await stream.next((m) => m.data.agentId === agent.id && m.data.change === 'offline', 'life-2 offline');
    const patch = await e.fleet.t.server.app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${id}`,
      headers: { authorization: `Bearer ${e.fleet.t.token}` },
      payload: { labels: { role: 'db' } },
    });
    expect(patch.statusCode).toBe(200);
    expect((await admin.post(`/agents/${id}/disable`)).status).toBe(200);
    expect((await admin.post(`/agents/${id}/enable`)).status).toBe(200);
    expect((await admin.post(`/agents/${id}/revoke`)).status).toBe(200);
    expect(await changes(5)).toEqual(['approved', 'labels', 'disabled', 'enabled', 'revoked']);

    const other = await enrollAgent(e.fleet.t.server, { token: await pendingToken(), name: 'life-3' });
    expect((await admin.post(`/agents/${other.agentId}/reject`)).status).toBe(200);
    expect((await admin.delete(`/agents/${other.agentId}`)).status).toBe(204);
    await stream.next((m) => m.data.agentId === other.agentId && m.data.change === 'deleted', 'deleted');
    expect(
      stream
        .events()
        .filter((m) => m.data.agentId === other.agentId)
        .map((m) => m.data.change ?? m.event),
    ).toEqual(['agent.pending', 'rejected', 'deleted']);

    async function pendingToken(): Promise<string> {
      return createEnrollmentToken(e.fleet.t.server, e.fleet.t.token, { policy: 'require-approval' });
    }
  });
});
