import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureSchema, type Failure, type Job } from '@flotilla/protocol';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../../apps/server/test/helpers/databases.js';
import type { TestDatabase } from '../../apps/server/test/helpers/databases.js';
import { testAgents } from './helpers/agents.js';
import { controlPlanes, type ControlPlane } from './helpers/control-plane.js';
import { agentStatus, EXIT_3, finishedJob, submitJob } from './helpers/jobs.js';
import { eventually } from './helpers/rest.js';

const planes = controlPlanes();
const agents = testAgents();
const databases: TestDatabase[] = [];
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
  for (const db of databases.splice(0)) await db.cleanup();
});

const SLEEP_30 = 'name: long\ntasks:\n  - { name: nap, type: command, config: { command: sleep, args: ["30"] } }';

/** The one run's `error` of a finished job, checked to be exactly the wire shape with a catalogue code. */
function failureOf(job: Job): Failure | null {
  const error = job.runs[0]?.error ?? null;
  if (error !== null) expect(FailureSchema.strict().safeParse(error).success, JSON.stringify(error)).toBe(true);
  return error;
}

/**
 * `GET /jobs/:id` shows why a run failed as `{code, message, retryable, step?}` with a catalogue
 * code, whether the agent raised it (policy, exit code, timeout, agent stop) or the server did
 * (expiry, cancel), on every store dialect. Real control plane, real agents, real processes.
 */
describe.each(DIALECTS)('run failures in GET /jobs/:id [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }

  async function controlPlane(): Promise<ControlPlane> {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    return planes.start({ databaseUrl: database.url });
  }

  async function onlineAgent(cp: ControlPlane, name: string, policy?: string) {
    const dataDir = await agents.dataDir();
    let policyFile: string | undefined;
    if (policy !== undefined) {
      policyFile = join(dataDir, 'policy.yaml');
      await writeFile(policyFile, policy);
    }
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir,
      name,
      policyFile,
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    return { agent, dataDir };
  }

  it('agent side: policy denied, non-zero exit, step and run timeouts', async () => {
    const cp = await controlPlane();
    await onlineAgent(cp, 'strict', 'allowed_commands: [echo]\n');
    await onlineAgent(cp, 'open');

    const denied = await finishedJob(cp.api, await submitJob(cp.api, EXIT_3, 'strict'));
    expect(denied.state).toBe('failed');
    expect(failureOf(denied)).toEqual({
      code: 'POLICY_DENIED',
      message: expect.stringContaining('sh'),
      retryable: false,
      step: 'fail',
    });

    const exit3 = await finishedJob(cp.api, await submitJob(cp.api, EXIT_3, 'open'));
    expect(exit3.runs[0]).toMatchObject({ state: 'failed', exitCode: 3 });
    // a non-zero exit may be transient: the command step says a retry can help
    expect(failureOf(exit3)).toEqual({
      code: 'STEP_FAILED',
      message: expect.stringContaining('3'),
      retryable: true,
      step: 'fail',
    });

    const stepTimeout =
      'name: t\ntasks:\n  - { name: nap, type: command, timeout: 300ms, config: { command: sleep, args: ["30"] } }';
    const slowStep = await finishedJob(cp.api, await submitJob(cp.api, stepTimeout, 'open'));
    expect(failureOf(slowStep)).toMatchObject({ code: 'STEP_TIMEOUT', step: 'nap' });

    const runTimeout = `timeout: 300ms\n${SLEEP_30}`;
    const slowRun = await finishedJob(cp.api, await submitJob(cp.api, runTimeout, 'open'));
    expect(slowRun.state).toBe('timed_out');
    expect(failureOf(slowRun)).toMatchObject({ code: 'RUN_TIMEOUT', retryable: expect.any(Boolean) });
  });

  it('agent side: a run the agent stopped mid-step is interrupted', async () => {
    const cp = await controlPlane();
    const { agent, dataDir } = await onlineAgent(cp, 'stopping');
    const jobId = await submitJob(cp.api, SLEEP_30, 'stopping');
    await eventually(async () => (await cp.api.get(`/jobs/${jobId}`)).body.state === 'running', 10_000, 'run running');
    await agent.stop();
    // what the stopped agent had not delivered, its next start replays
    await agents.start({ serverUrl: cp.url, dataDir, name: 'stopping' });
    const job = await finishedJob(cp.api, jobId);
    expect(job.state).toBe('interrupted');
    expect(failureOf(job)).toEqual({
      code: 'INTERRUPTED',
      message: 'the agent stopped while the run was in flight',
      retryable: false,
    });
  });

  it('server side: a run not delivered before the job expired, and a queued run cancelled', async () => {
    const cp = await controlPlane();
    const { agent } = await onlineAgent(cp, 'away');
    await agent.stop();
    await agentStatus(cp.api, agent.agentId, 'offline');

    const expiring = await cp.api.post('/jobs', { workflow: SLEEP_30, target: { agent: 'away' }, expiresIn: '200ms' });
    expect(expiring.status).toBe(201);
    const expired = await finishedJob(cp.api, expiring.body.id as string);
    expect(expired.state).toBe('expired');
    expect(failureOf(expired)).toEqual({
      code: 'EXPIRED',
      message: 'not delivered before the job expired',
      retryable: true,
    });

    const queued = await submitJob(cp.api, SLEEP_30, 'away');
    expect((await cp.api.post(`/jobs/${queued}/cancel`)).status).toBeLessThan(300);
    const cancelled = await finishedJob(cp.api, queued);
    expect(cancelled.state).toBe('cancelled');
    expect(failureOf(cancelled)).toEqual({
      code: 'CANCELLED',
      message: 'cancelled before it started',
      retryable: false,
    });
  });

  it('agent side: a running run cancelled through the API', async () => {
    const cp = await controlPlane();
    await onlineAgent(cp, 'busy');
    const jobId = await submitJob(cp.api, SLEEP_30, 'busy');
    await eventually(async () => (await cp.api.get(`/jobs/${jobId}`)).body.state === 'running', 10_000, 'run running');
    expect((await cp.api.post(`/jobs/${jobId}/cancel`)).status).toBeLessThan(300);
    const job = await finishedJob(cp.api, jobId);
    expect(job.state).toBe('cancelled');
    // a cancel is the run's fate, not one step's: no `step`
    expect(failureOf(job)).toEqual({ code: 'CANCELLED', message: 'the run was cancelled', retryable: false });
  });
});
