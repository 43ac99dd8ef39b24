import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobDetailSchema } from '@flotilla/protocol';
import type { JobDetail } from '@flotilla/protocol';
import { dialectAvailable, DIALECTS } from '../helpers/databases.js';
import { startFleet, waitForJob } from './fleet-helpers.js';
import type { Fleet } from './fleet-helpers.js';

/** Three steps: `build` and `lint` both first, `ship` after both, `tidy` in `finally:`. */
const GRAPH = `name: graph
inputs:
  env: { type: string, default: dev }
steps:
  - name: build
    type: command
    config: { command: "true" }
  - name: lint
    type: command
    needs: []
    config: { command: "true" }
  - name: ship
    type: command
    needs: [build, lint]
    config: { command: "true" }
finally:
  - name: tidy
    type: command
    config: { command: "true" }
`;

/** The events of `GET /jobs/:id/logs?follow=1` as they arrive, until the stream ends. */
async function followEvents(
  base: string,
  token: string,
  jobId: string,
  onEvent: (event: string, data: unknown) => void,
): Promise<void> {
  const res = await fetch(`${base}/jobs/${jobId}/logs?follow=1`, { headers: { authorization: `Bearer ${token}` } });
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(':')) continue;
      onEvent(/^event: (.*)$/m.exec(block)?.[1] ?? 'message', JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null'));
    }
  }
}

describe.each(DIALECTS)('job detail [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let fleet: Fleet;
  let base: string;
  beforeAll(async () => {
    fleet = await startFleet(dialect);
    base = fleet.url.replace('ws', 'http').replace('/agent/v1/connect', '/api/v1');
  });
  afterAll(() => fleet.close());

  it('gives the inputs, target, step graph, each run’s steps with outputs, and the rollout', async () => {
    const a = await fleet.agent('detail-a', { role: 'detail' });
    const b = await fleet.agent('detail-b', { role: 'detail' });
    const target = { selector: { role: 'detail' }, rollout: { batch_size: 1, max_failures: 1 } };
    const created = await fleet.client.post('/jobs', { workflow: GRAPH, target, inputs: { env: 'prod' } });
    expect(created.status).toBe(201);
    const jobId = created.body.id as string;

    const first = JobDetailSchema.parse((await fleet.client.get(`/jobs/${jobId}`)).body);
    expect(first.inputs).toEqual({ env: 'prod' });
    expect(first.target).toEqual({ ...target, mode: 'all', rollout: { ...target.rollout, stop_on_failure: false } });
    expect(first.steps).toEqual([
      { id: 'build', name: 'build', type: 'command', needs: [], finally: false },
      { id: 'lint', name: 'lint', type: 'command', needs: [], finally: false },
      { id: 'ship', name: 'ship', type: 'command', needs: ['build', 'lint'], finally: false },
      { id: 'tidy', name: 'tidy', type: 'command', needs: [], finally: true },
    ]);
    expect(first.rollout).toEqual({ batchSize: 1, batches: 2, activeBatch: 0, maxFailures: 1, failures: 0 });
    expect(first.runs.map((r) => [r.agent, r.batch, r.steps])).toEqual([
      ['detail-a', 0, []],
      ['detail-b', 1, []],
    ]);
    expect(first.finishedAt).toBeNull();

    // detail-a: build succeeds with outputs, lint fails, ship is skipped.
    const offer = await a.offer();
    a.ack(offer.runId);
    await a.report(offer.runId, [
      { kind: 'run.started' },
      { kind: 'step.started', step: 'build', attempt: 1 },
      { kind: 'step.finished', step: 'build', status: 'succeeded', exitCode: 0, outputs: { version: '1.2.3' } },
      { kind: 'step.started', step: 'lint', attempt: 1 },
    ]);
    const running = JobDetailSchema.parse((await fleet.client.get(`/jobs/${jobId}`)).body);
    expect(running.runs[0]?.steps.map((s) => [s.step, s.status, s.outputs])).toEqual([
      ['build', 'succeeded', { version: '1.2.3' }],
      ['lint', 'running', null],
    ]);
    await a.report(offer.runId, [
      {
        kind: 'step.finished',
        step: 'lint',
        status: 'failed',
        exitCode: 2,
        error: { code: 'STEP_FAILED', message: 'exit code 2', retryable: false },
      },
      { kind: 'step.finished', step: 'ship', status: 'skipped', exitCode: null },
      { kind: 'run.finished', state: 'failed', exitCode: 2 },
    ]);
    const afterA = await waitForJob(fleet, jobId, (j) => j.runs[1].state === 'dispatched');
    const detail = JobDetailSchema.parse(afterA);
    expect(detail.rollout).toMatchObject({ activeBatch: 1, failures: 1 });
    const lint = detail.runs[0]?.steps.find((s) => s.step === 'lint');
    expect(lint).toMatchObject({ status: 'failed', exitCode: 2, error: { code: 'STEP_FAILED' } });

    const offerB = await b.offer();
    await b.finish(offerB.runId, 'succeeded');
    const done = JobDetailSchema.parse(await waitForJob(fleet, jobId, (j) => j.state === 'failed'));
    expect(done.finishedAt).not.toBeNull();
    expect(Date.parse(done.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(done.createdAt));
  });

  it('streams a `state` event with the job whenever a step starts or ends, before the run ends', async () => {
    const agent = await fleet.agent('detail-live');
    const job = (await fleet.client.post('/jobs', { workflow: GRAPH, target: { agent: 'detail-live' } })).body;
    const offer = await agent.offer();
    agent.ack(offer.runId);
    await agent.report(offer.runId, [{ kind: 'run.started' }]);

    const states: JobDetail[] = [];
    let notify: () => void = () => undefined;
    const followed = followEvents(base, fleet.t.token, job.id as string, (event, data) => {
      if (event === 'state' || event === 'end') states.push(JobDetailSchema.parse(data));
      notify();
    });
    /** Waits until a streamed job satisfies `check`. */
    const streamed = (check: (job: JobDetail) => boolean) =>
      new Promise<void>((resolve) => {
        notify = () => {
          if (states.some(check)) resolve();
        };
        notify();
      });
    const stepOf = (j: JobDetail, step: string) => j.runs[0]?.steps.find((s) => s.step === step)?.status;

    await streamed((j) => j.state === 'running');
    await agent.report(offer.runId, [{ kind: 'step.started', step: 'build', attempt: 1 }]);
    await streamed((j) => stepOf(j, 'build') === 'running');
    await agent.report(offer.runId, [{ kind: 'step.finished', step: 'build', status: 'succeeded', exitCode: 0 }]);
    await streamed((j) => stepOf(j, 'build') === 'succeeded');
    // The run has not ended: only step events told the stream.
    expect(states.every((j) => j.runs[0]?.state === 'running')).toBe(true);

    await agent.report(offer.runId, [{ kind: 'run.finished', state: 'succeeded', exitCode: 0 }]);
    await followed;
    expect(states.at(-1)?.state).toBe('succeeded');
  });
});
