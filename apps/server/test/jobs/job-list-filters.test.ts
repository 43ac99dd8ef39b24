import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSchema } from '@flotilla/protocol';
import type { Job } from '@flotilla/protocol';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { api, WORKFLOW } from '../helpers/api.js';
import { createTeamMember } from '../tenancy/tenancy-helpers.js';
import { startFleet, waitForJob } from './fleet-helpers.js';
import type { Fleet, FleetAgent } from './fleet-helpers.js';

const OTHER = 'name: other\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [other] }\n';

describe.each(DIALECTS)('job list filters and re-runs of failed agents [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  let web1: FleetAgent;
  let web2: FleetAgent;
  let db1: FleetAgent;
  let member: ReturnType<typeof api>;
  /** The jobs every test looks at, oldest first: one run that succeeded, a fan-out with a failure, an ad-hoc failure. */
  let single: Job;
  let fanOut: Job;
  let adHoc: Job;
  let workflowId: string;

  async function submit(as: ReturnType<typeof api>, body: Record<string, unknown>): Promise<Job> {
    const res = await as.post('/jobs', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return JobSchema.parse(res.body);
  }

  /** Finishes the next offer of each agent with its state; returns when the job is done. */
  async function finish(job: Job, outcomes: [FleetAgent, 'succeeded' | 'failed'][]): Promise<void> {
    for (const [agent, state] of outcomes) {
      const offer = await agent.offer();
      expect(offer.jobId).toBe(job.id);
      await agent.finish(offer.runId, state);
    }
    await waitForJob(fleet, job.id, (j) => j.state === 'succeeded' || j.state === 'failed');
  }

  beforeAll(async () => {
    fleet = await startFleet(dialect);
    web1 = await fleet.agent('web-1', { role: 'web' });
    web2 = await fleet.agent('web-2', { role: 'web' });
    db1 = await fleet.agent('db-1', { role: 'db' });
    member = api(
      fleet.t.server,
      (
        await createTeamMember(fleet.t.server, fleet.t.token, {
          username: 'operator',
          team: 'ops',
          project: 'default',
          access: 'full',
        })
      ).token,
    );
    const saved = await fleet.client.post('/workflows', { document: WORKFLOW });
    expect(saved.status).toBe(201);
    workflowId = saved.body.id as string;

    single = await submit(fleet.client, { workflow: WORKFLOW, target: { agent: 'db-1' } });
    await finish(single, [[db1, 'succeeded']]);
    fanOut = await submit(fleet.client, { workflow: WORKFLOW, target: { selector: { role: 'web' } } });
    await finish(fanOut, [
      [web1, 'succeeded'],
      [web2, 'failed'],
    ]);
    adHoc = await submit(member, { workflow: OTHER, target: { agent: 'web-1' } });
    await finish(adHoc, [[web1, 'failed']]);
  });
  afterAll(() => fleet.close());

  /** Every page of `GET /jobs?…`, one job per page. */
  async function ids(query: string): Promise<string[]> {
    const found: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const res = await fleet.client.get(`/jobs?limit=1&${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      found.push(...res.body.items.map((j: Job) => j.id));
      cursor = res.body.nextCursor;
      if (cursor === null) return found;
    }
    throw new Error('too many pages');
  }

  it('says who submitted a job and which saved workflow version it ran', async () => {
    expect(single).toMatchObject({ createdBy: 'admin', workflowName: 'hello', workflowId, workflowVersion: 1 });
    expect(adHoc).toMatchObject({ createdBy: 'operator', workflowId: null, workflowVersion: null, rerunOf: null });
    // a new version: the same text as version 1 is still version 1, the new text is version 2
    const v2 = WORKFLOW.replace('[hi]', '[hello]');
    const updated = await fleet.t.server.app.inject({
      method: 'PUT',
      url: `/api/v1/workflows/${workflowId}`,
      headers: { authorization: `Bearer ${fleet.t.token}` },
      payload: { document: v2 },
    });
    expect(updated.statusCode).toBe(200);
    const second = await submit(fleet.client, { workflow: v2, target: { agent: 'db-1' } });
    expect(second).toMatchObject({ workflowId, workflowVersion: 2 });
    const first = await submit(fleet.client, { workflow: WORKFLOW, target: { agent: 'db-1' } });
    expect(first).toMatchObject({ workflowId, workflowVersion: 1 });
    // a comment more is another document: ad hoc
    expect(await submit(fleet.client, { workflow: `# mine\n${WORKFLOW}`, target: { agent: 'db-1' } })).toMatchObject({
      workflowId: null,
    });
    for (const job of [second, first]) await fleet.client.post(`/jobs/${job.id}/cancel`);
    const listed = (await fleet.client.get('/jobs?limit=100')).body.items as Job[];
    expect(listed.find((j) => j.id === adHoc.id)).toMatchObject({ createdBy: 'operator' });
  });

  it('filters by state (one or several), workflow, agent and submitter, paging newest first', async () => {
    expect(await ids('state=failed')).toEqual([adHoc.id, fanOut.id]);
    expect(await ids('state=succeeded,failed')).toEqual([adHoc.id, fanOut.id, single.id]);
    expect(await ids('workflow=other')).toEqual([adHoc.id]);
    // the stored workflow's name also finds its jobs
    expect(await ids('workflow=hello&state=succeeded,failed')).toEqual([fanOut.id, single.id]);
    expect(await ids('agent=web-2')).toEqual([fanOut.id]);
    expect(await ids(`agent=${web1.id}`)).toEqual([adHoc.id, fanOut.id]);
    expect(await ids('agent=db-9')).toEqual([]);
    expect(await ids('createdBy=operator')).toEqual([adHoc.id]);
    expect(await ids('createdBy=admin&state=failed')).toEqual([fanOut.id]);
    expect(await ids('createdBy=nobody')).toEqual([]);
  });

  it('filters by creation time: from (inclusive) and to (exclusive), any RFC 3339 offset', async () => {
    const states = 'state=succeeded,failed';
    expect(await ids(`${states}&from=${encodeURIComponent(fanOut.createdAt)}`)).toEqual([adHoc.id, fanOut.id]);
    expect(await ids(`${states}&to=${encodeURIComponent(fanOut.createdAt)}`)).toEqual([single.id]);
    expect(
      await ids(`${states}&from=${encodeURIComponent(fanOut.createdAt)}&to=${encodeURIComponent(adHoc.createdAt)}`),
    ).toEqual([fanOut.id]);
    // the same instant with another offset
    const shifted = new Date(Date.parse(fanOut.createdAt) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await ids(`${states}&from=${encodeURIComponent(shifted)}`)).toEqual([adHoc.id, fanOut.id]);
    for (const query of ['from=yesterday', 'to=2026-13-01T00:00:00Z', 'state=broken', 'state=', 'unknown=1'])
      expect((await fleet.client.get(`/jobs?${query}`)).body.code, query).toBe('VALIDATION_FAILED');
  });

  it('re-runs exactly the agents whose run failed, or refuses when none did', async () => {
    const rerun = await fleet.client.post(`/jobs/${fanOut.id}/rerun`, { agents: 'failed' });
    expect(rerun.status, JSON.stringify(rerun.body)).toBe(201);
    const job = JobSchema.parse(rerun.body);
    expect(job.runs.map((r) => r.agent)).toEqual(['web-2']);
    expect(job).toMatchObject({ rerunOf: fanOut.id, createdBy: 'admin', workflowName: 'hello' });
    const offer = await web2.offer();
    expect(offer.jobId).toBe(job.id);
    await web2.finish(offer.runId, 'succeeded');

    // a re-run of that re-run on all its agents targets what it targeted: web-2 alone
    const again = await fleet.client.post(`/jobs/${job.id}/rerun`, {});
    expect(again.body.runs.map((r: { agent: string }) => r.agent)).toEqual(['web-2']);
    await fleet.client.post(`/jobs/${again.body.id as string}/cancel`);

    const none = await fleet.client.post(`/jobs/${single.id}/rerun`, { agents: 'failed' });
    expect(none.status).toBe(409);
    expect(none.body.code).toBe('NO_FAILED_AGENTS');
    expect((await fleet.client.post(`/jobs/${single.id}/rerun`, { agents: 'some' })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    const audit = (await fleet.client.get('/audit?limit=500')).body.items.find(
      (e: { action: string; objectId: string }) => e.action === 'job.rerun' && e.objectId === job.id,
    );
    expect(audit.change).toMatchObject({ rerunOf: fanOut.id, agents: 'failed', runs: 1 });
  });

  it('accepts a target listing agents by name or id, each once, in rollout batches', async () => {
    const job = await submit(fleet.client, {
      workflow: WORKFLOW,
      target: { agents: ['web-2', web1.id, 'web-1'], rollout: { batch_size: 1 } },
    });
    expect(job.runs.map((r) => r.agent)).toEqual(['web-1', 'web-2']);
    await fleet.client.post(`/jobs/${job.id}/cancel`);
    const unknown = await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agents: ['web-1', 'web-9'] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('TARGET_NOT_FOUND');
    expect(unknown.body.detail).toContain('"web-9"');
    expect((await fleet.client.post('/jobs', { workflow: WORKFLOW, target: { agents: [] } })).body.code).toBe(
      'VALIDATION_FAILED',
    );
  });
});
