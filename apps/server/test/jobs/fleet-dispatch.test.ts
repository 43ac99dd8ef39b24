import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSchema } from '@flotilla/protocol';
import { WORKFLOW } from '../helpers/api.js';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { compileRollout } from '../../src/jobs/job-target.js';
import { aggregateJobState, countStates } from '../../src/jobs/job-state.js';
import { startFleet, waitForJob } from './fleet-helpers.js';
import type { Fleet } from './fleet-helpers.js';

describe('rollout and job-state rules', () => {
  it('compiles batch_size (ceil, ≥ 1) and max_failures (floor; stop_on_failure = 0)', () => {
    expect(compileRollout(undefined, 7)).toEqual({ batchSize: 7, maxFailures: null });
    expect(compileRollout({ batch_size: '25%', stop_on_failure: false }, 7)).toEqual({
      batchSize: 2,
      maxFailures: null,
    });
    expect(compileRollout({ batch_size: 0, stop_on_failure: true }, 7)).toEqual({ batchSize: 1, maxFailures: 0 });
    expect(compileRollout({ batch_size: 3, max_failures: '50%', stop_on_failure: false }, 7)).toEqual({
      batchSize: 3,
      maxFailures: 3,
    });
  });

  it('aggregates run states with the documented precedence', () => {
    expect(aggregateJobState(countStates(['queued', 'queued']))).toBe('queued');
    expect(aggregateJobState(countStates(['succeeded', 'queued']))).toBe('running');
    expect(aggregateJobState(countStates(['succeeded', 'unknown']))).toBe('running');
    expect(aggregateJobState(countStates(['succeeded', 'succeeded']))).toBe('succeeded');
    expect(aggregateJobState(countStates(['succeeded', 'cancelled', 'failed']))).toBe('failed');
    expect(aggregateJobState(countStates(['expired', 'timed_out', 'interrupted']))).toBe('timed_out');
    expect(aggregateJobState(countStates(['succeeded', 'expired', 'cancelled']))).toBe('cancelled');
    expect(aggregateJobState(countStates(['dispatched']))).toBe('dispatched');
  });
});

describe.each(DIALECTS)('fleet dispatch [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
  });
  afterAll(() => fleet.close());

  it('fans out to every matching agent; offline ones queue; no match → 422 TARGET_NOT_FOUND', async () => {
    const web1 = await fleet.agent('fan-web-1', { role: 'fan-web' });
    const web2 = await fleet.agent('fan-web-2', { role: 'fan-web', zone: 'b' });
    const web3 = await fleet.agent('fan-web-3', { role: 'fan-web' }, { connect: false });
    const db = await fleet.agent('fan-db-1', { role: 'fan-db' });
    const res = await fleet.client.post('/jobs', {
      workflow: WORKFLOW,
      target: { selector: { role: 'fan-web' }, mode: 'all' },
    });
    expect(res.status).toBe(201);
    const job = JobSchema.parse(res.body);
    expect(job.runs.map((r) => [r.agent, r.state])).toEqual([
      ['fan-web-1', 'dispatched'],
      ['fan-web-2', 'dispatched'],
      ['fan-web-3', 'queued'],
    ]);
    expect(job.counts).toEqual({ dispatched: 2, queued: 1 });
    expect(job.state).toBe('running');
    for (const agent of [web1, web2]) expect((await agent.offer()).jobId).toBe(job.id);
    expect(db.offers()).toEqual([]);
    await web3.connect();
    expect((await web3.offer()).runId).toBe(job.runs[2]!.id);

    const two = await fleet.client.post('/jobs', {
      workflow: WORKFLOW,
      target: { selector: { role: 'fan-web', zone: 'b' } },
    });
    expect(two.body.runs.map((r: { agent: string }) => r.agent)).toEqual(['fan-web-2']);
    const none = await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { selector: { role: 'nobody' } } });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('TARGET_NOT_FOUND');
  });

  it('mode any picks the least loaded online matching agent', async () => {
    const busy = await fleet.agent('any-a', { role: 'any' });
    const idle = await fleet.agent('any-b', { role: 'any' });
    await fleet.agent('any-c', { role: 'any' }, { connect: false });
    // any-a is busy with a job of its own.
    await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'any-a' } });
    await busy.offer();
    const res = await fleet.client.post('/jobs', {
      workflow: WORKFLOW,
      target: { selector: { role: 'any' }, mode: 'any' },
    });
    expect(res.status).toBe(201);
    expect(res.body.runs.map((r: { agent: string; state: string }) => [r.agent, r.state])).toEqual([
      ['any-b', 'dispatched'],
    ]);
    expect((await idle.offer()).jobId).toBe(res.body.id);
  });

  it('rolls out batch by batch and cancels the rest when failures exceed max_failures', async () => {
    const agents = [];
    for (let i = 1; i <= 4; i++) agents.push(await fleet.agent(`roll-${i}`, { role: 'roll' }));
    const [a1, a2, a3, a4] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
    const target = { selector: { role: 'roll' }, mode: 'all', rollout: { batch_size: '50%', max_failures: 0 } };
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target })).body;
    expect(job.runs.map((r: { state: string }) => r.state)).toEqual(['dispatched', 'dispatched', 'queued', 'queued']);
    const [o1, o2] = [await a1.offer(), await a2.offer()];
    await a1.finish(o1.runId, 'succeeded');
    // The batch is not over until both runs are.
    await new Promise((r) => setTimeout(r, 100));
    expect(a3.offers()).toEqual([]);
    await a2.finish(o2.runId, 'succeeded');
    const [o3] = [await a3.offer(), await a4.offer()];
    await a3.finish(o3.runId, 'failed');
    const final = await waitForJob(fleet, job.id, (j) => j.runs[2].state === 'failed');
    // a4 already had its offer (same batch): it is not cancelled by the rollout, only what is still queued.
    expect(final.runs.map((r: { state: string }) => r.state)).toEqual([
      'succeeded',
      'succeeded',
      'failed',
      'dispatched',
    ]);

    const stop = (
      await fleet.client.post('/jobs', {
        workflow: WORKFLOW,
        target: { ...target, rollout: { batch_size: 1, stop_on_failure: true } },
      })
    ).body;
    const first = await a1.offer();
    expect(first.jobId).toBe(stop.id);
    await a1.finish(first.runId, 'failed');
    const stopped = await waitForJob(fleet, stop.id, (j) => j.state === 'failed');
    expect(stopped.counts).toEqual({ failed: 1, cancelled: 3 });
    expect(a2.offers().filter((o) => o.jobId === stop.id)).toEqual([]);
  });

  it('never has more than maxConcurrentRuns on an agent; the rest wait queued', async () => {
    const agent = await fleet.agent('slots-1', {}, { maxConcurrentRuns: 1 });
    const j1 = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'slots-1' } })).body;
    const j2 = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'slots-1' } })).body;
    expect([j1.state, j2.state]).toEqual(['dispatched', 'queued']);
    const first = await agent.offer();
    expect(first.jobId).toBe(j1.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(agent.offers()).toHaveLength(1);
    await agent.finish(first.runId, 'succeeded');
    expect((await agent.offer()).jobId).toBe(j2.id);
  });

  it('expires runs not delivered before expiresAt', async () => {
    const agent = await fleet.agent('exp-1', {}, { connect: false });
    const job = (
      await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'exp-1' }, expiresIn: '300ms' })
    ).body;
    expect(job.state).toBe('queued');
    expect(Date.parse(job.expiresAt) - Date.parse(job.createdAt)).toBeGreaterThanOrEqual(290);
    const expired = await waitForJob(fleet, job.id, (j) => j.state === 'expired', 4000);
    expect(expired.runs[0].state).toBe('expired');
    await agent.connect();
    await new Promise((r) => setTimeout(r, 150));
    expect(agent.offers()).toEqual([]);
  });
});
