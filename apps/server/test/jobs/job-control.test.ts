import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { WORKFLOW } from '../helpers/api.js';
import { startFleet, waitForJob } from './fleet-helpers.js';
import type { Fleet } from './fleet-helpers.js';

const TWO_STEPS =
  'name: two\ntasks:\n  - name: build\n    type: command\n    config: { command: "true" }\n  - name: deploy\n    type: command\n    config: { command: "false" }\n';

describe.each(DIALECTS)('job control [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
  });
  afterAll(() => fleet.close());

  it('cancels queued runs at once and asks agents to stop running ones; idempotent', async () => {
    const online = await fleet.agent('cxl-on', { role: 'cxl' });
    await fleet.agent('cxl-off', { role: 'cxl' }, { connect: false });
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { selector: { role: 'cxl' } } })).body;
    const offer = await online.offer();
    online.ack(offer.runId);
    await waitForJob(fleet, job.id, (j) => j.runs[1].state === 'running');

    const res = await fleet.client.post(`/jobs/${job.id}/cancel`);
    expect(res.status).toBe(202);
    expect(res.body.runs.map((r: { agent: string; state: string }) => [r.agent, r.state])).toEqual([
      ['cxl-off', 'cancelled'],
      ['cxl-on', 'running'],
    ]);
    expect(await online.channel!.next('job.cancel')).toEqual({ type: 'job.cancel', runId: offer.runId });
    await online.report(offer.runId, [{ kind: 'run.finished', state: 'cancelled', exitCode: null }]);
    const done = await waitForJob(fleet, job.id, (j) => j.state === 'cancelled');
    expect(done.counts).toEqual({ cancelled: 2 });
    // Again: nothing changes, no error.
    const again = await fleet.client.post(`/jobs/${job.id}/cancel`);
    expect(again.status).toBe(202);
    expect(again.body.state).toBe('cancelled');
    expect((await fleet.client.post('/jobs/job_nope/cancel')).body.code).toBe('JOB_NOT_FOUND');
  });

  it('sends a cancel to an agent that was offline when its run was cancelled, once it reconnects', async () => {
    const agent = await fleet.agent('cxl-late');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'cxl-late' } })).body;
    const offer = await agent.offer();
    agent.ack(offer.runId);
    await waitForJob(fleet, job.id, (j) => j.state === 'running');
    await agent.disconnect();
    await waitForJob(fleet, job.id, (j) => j.state === 'unknown');
    expect((await fleet.client.post(`/jobs/${job.id}/cancel`)).body.state).toBe('unknown');
    const channel = await agent.connect();
    expect(await channel.next('job.cancel')).toEqual({ type: 'job.cancel', runId: offer.runId });
    expect(channel.all('job.offer')).toEqual([]);
  });

  it('marks a running run unknown when its agent is lost, and resolves it when the agent reports', async () => {
    const agent = await fleet.agent('unk-1');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'unk-1' } })).body;
    const offer = await agent.offer();
    agent.ack(offer.runId);
    await agent.report(offer.runId, [{ kind: 'run.started' }]);
    await agent.disconnect();
    await waitForJob(fleet, job.id, (j) => j.state === 'unknown');
    const channel = await agent.connect();
    // Never re-run: no new offer for a run that was running.
    await new Promise((r) => setTimeout(r, 100));
    expect(channel.all('job.offer')).toEqual([]);
    await agent.report(offer.runId, [{ kind: 'run.finished', state: 'succeeded', exitCode: 0 }]);
    await waitForJob(fleet, job.id, (j) => j.state === 'succeeded');
  });

  it('re-offers a dispatched run that was never acknowledged', async () => {
    const agent = await fleet.agent('reoffer-1');
    const job = (await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'reoffer-1' } })).body;
    const first = await agent.offer();
    await agent.disconnect();
    await waitForJob(fleet, job.id, (j) => j.state === 'queued');
    await agent.connect();
    const second = await agent.offer();
    expect(second.runId).toBe(first.runId);
    await agent.finish(second.runId, 'succeeded');
    await waitForJob(fleet, job.id, (j) => j.state === 'succeeded');
  });

  it('re-runs a job from the start, or resumes it with the outputs of the steps that succeeded', async () => {
    const agent = await fleet.agent('rerun-1', { role: 'rerun' });
    const job = (
      await fleet.client.post('/jobs', {
        workflow: TWO_STEPS,
        target: { selector: { role: 'rerun' } },
        inputs: { v: 1 },
      })
    ).body;
    const offer = await agent.offer();
    agent.ack(offer.runId);
    await agent.report(offer.runId, [
      { kind: 'run.started' },
      { kind: 'step.started', step: 'build', attempt: 1 },
      { kind: 'step.finished', step: 'build', status: 'succeeded', exitCode: 0, outputs: { artifact: 'app-1.tgz' } },
      { kind: 'step.started', step: 'deploy', attempt: 1 },
      { kind: 'step.finished', step: 'deploy', status: 'failed', exitCode: 1 },
      { kind: 'run.finished', state: 'failed', exitCode: 1 },
    ]);
    await waitForJob(fleet, job.id, (j) => j.state === 'failed');

    const fresh = await fleet.client.post(`/jobs/${job.id}/rerun`, {});
    expect(fresh.status).toBe(201);
    expect(fresh.body.id).not.toBe(job.id);
    const freshOffer = await agent.offer();
    expect(freshOffer).toMatchObject({
      jobId: fresh.body.id,
      workflow: TWO_STEPS,
      inputs: { v: 1 },
      completedSteps: {},
    });
    await agent.finish(freshOffer.runId, 'failed');

    const resumed = await fleet.client.post(`/jobs/${job.id}/rerun`, { from: 'failed' });
    expect(resumed.status).toBe(201);
    const resumedOffer = await agent.offer();
    expect(resumedOffer.jobId).toBe(resumed.body.id);
    expect(resumedOffer.completedSteps).toEqual({ build: { status: 'succeeded', outputs: { artifact: 'app-1.tgz' } } });
    expect((await fleet.client.post(`/jobs/${job.id}/rerun`, { from: 'middle' })).body.code).toBe('VALIDATION_FAILED');
  });
});
