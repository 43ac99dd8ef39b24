import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, ECHO_HI, EXIT_3, finishedJob, submitJob } from './helpers/jobs.js';
import { startTamperingRelay, type TamperingRelay } from './helpers/tampering-relay.js';

const planes = controlPlanes();
const agents = testAgents();
const relays: TamperingRelay[] = [];
afterEach(async () => {
  await agents.cleanup();
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await planes.cleanup();
});

async function onlineAgent(name = 'a1') {
  const cp = await planes.start();
  const dataDir = await agents.dataDir();
  const agent = await agents.start({ serverUrl: cp.url, token: await cp.enrollmentToken(), dataDir, name });
  await agentStatus(cp.api, agent.agentId, 'online');
  return { cp, agent, dataDir };
}

describe('jobs end to end (real server, real agent)', () => {
  it('runs `echo hi`: succeeded, exit code 0, the line stored with a sequence number', async () => {
    const { cp } = await onlineAgent('a1');
    const jobId = await submitJob(cp.api, ECHO_HI, 'a1');
    const job = await finishedJob(cp.api, jobId);
    expect(job.state).toBe('succeeded');
    expect(job.runs).toHaveLength(1);
    expect(job.runs[0]).toMatchObject({ state: 'succeeded', exitCode: 0, agent: 'a1' });
    const logs = (await cp.api.get(`/jobs/${jobId}/logs`)).body.items as {
      line: string;
      seq: number;
      step: string;
      stream: string;
    }[];
    expect(logs).toContainEqual(
      expect.objectContaining({ line: 'hi', step: 'hi', stream: 'stdout', seq: expect.any(Number) }),
    );
  });

  it('reports a failing command: failed with exit code 3', async () => {
    const { cp } = await onlineAgent('a1');
    const job = await finishedJob(cp.api, await submitJob(cp.api, EXIT_3, 'a1'));
    expect(job.state).toBe('failed');
    expect(job.runs[0]).toMatchObject({ state: 'failed', exitCode: 3 });
  });

  it('keeps a job for an offline agent queued and runs it when the agent connects', async () => {
    const { cp, agent, dataDir } = await onlineAgent('a1');
    await agent.stop();
    await agentStatus(cp.api, agent.agentId, 'offline');
    const jobId = await submitJob(cp.api, ECHO_HI, 'a1');
    await new Promise((r) => setTimeout(r, 300));
    expect((await cp.api.get(`/jobs/${jobId}`)).body.state).toBe('queued');
    await agents.start({ serverUrl: cp.url, dataDir, name: 'a1' }); // no token: already enrolled
    const job = await finishedJob(cp.api, jobId);
    expect(job.runs[0]).toMatchObject({ state: 'succeeded', exitCode: 0 });
  });

  it('refuses a job envelope tampered with on the wire and reports it', async () => {
    // The most honest setup available: the real server signs the job, the real agent verifies it,
    // and a man-in-the-middle relay on the WebSocket rewrites the signed payload in transit (the
    // server offers no hook to forge offers, and editing the agent's pinned key would break the
    // handshake instead of the envelope check).
    const cp = await planes.start();
    const dataDir = await agents.dataDir();
    const token = await cp.enrollmentToken();
    const enrolled = await agents.start({ serverUrl: cp.url, token, dataDir, name: 'a1' });
    await agentStatus(cp.api, enrolled.agentId, 'online');
    await enrolled.stop();
    const marker = join(dataDir, 'pwned');
    const relay = await startTamperingRelay(cp.url, (frame: any) =>
      frame.type === 'job.offer'
        ? {
            ...frame,
            envelope: {
              ...frame.envelope,
              payload: frame.envelope.payload.replace('echo', 'touch').replace('[hi]', `[${marker}]`),
            },
          }
        : frame,
    );
    relays.push(relay);
    const agent = await agents.start({ serverUrl: relay.url, dataDir, name: 'a1' });
    await agentStatus(cp.api, agent.agentId, 'online');
    const job = await finishedJob(cp.api, await submitJob(cp.api, ECHO_HI, 'a1'));
    expect(relay.tampered).toBe(1);
    expect(job.state).toBe('failed');
    expect(job.runs[0]!.error).toMatchObject({ code: 'ENVELOPE_SIGNATURE_INVALID', retryable: false });
    expect(agent.stats()).toMatchObject({ offersRejected: 1, runsStarted: 0 });
    await expect(access(marker)).rejects.toThrow();
  });
});
