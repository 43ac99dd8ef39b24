import { generateKeyPairSync } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, ECHO_HI, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

describe('enrolment and trust (real server, real agents)', () => {
  it('an agent enrols with a token and shows online in GET /agents', async () => {
    const cp = await planes.start();
    const token = await cp.enrollmentToken({ labels: { role: 'web' } });
    const agent = await agents.start({
      serverUrl: cp.url,
      token,
      dataDir: await agents.dataDir(),
      name: 'a1',
      labels: { zone: 'z1' },
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const listed = (await cp.api.get('/agents')).body.items.find((a: { id: string }) => a.id === agent.agentId);
    expect(listed).toMatchObject({
      name: 'a1',
      status: 'online',
      labels: { role: 'web', zone: 'z1' },
      os: process.platform,
    });
    expect(agent.stats().connected).toBe(true);
  });

  it('an agent that lost its state enrols again with its own key: same id, its labels unchanged', async () => {
    const cp = await planes.start();
    const dataDir = await agents.dataDir();
    const first = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir,
      name: 'k1',
      labels: { role: 'web' },
    });
    await agentStatus(cp.api, first.agentId, 'online');
    await first.stop();
    // agent.key stays; the enrolment must prove it (the agent signs with it) and changes nothing.
    await rm(join(dataDir, 'agent.json'));
    const again = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir,
      name: 'k1',
      labels: { role: 'db' },
    });
    expect(again.agentId).toBe(first.agentId);
    await agentStatus(cp.api, first.agentId, 'online');
    expect((await cp.api.get(`/agents/${first.agentId}`)).body.labels).toEqual({ role: 'web' });
  });

  it('refuses a used one-time token and an expired token', async () => {
    const cp = await planes.start();
    const once = await cp.enrollmentToken({ uses: 1 });
    await agents.start({ serverUrl: cp.url, token: once, dataDir: await agents.dataDir(), name: 'first' });
    await expect(
      agents.start({ serverUrl: cp.url, token: once, dataDir: await agents.dataDir(), name: 'second' }),
    ).rejects.toMatchObject({
      code: 'ENROLLMENT_TOKEN_INVALID',
    });
    const expiring = await cp.enrollmentToken({ expiresIn: '1ms' });
    await new Promise((r) => setTimeout(r, 20));
    await expect(
      agents.start({ serverUrl: cp.url, token: expiring, dataDir: await agents.dataDir(), name: 'third' }),
    ).rejects.toMatchObject({
      code: 'ENROLLMENT_TOKEN_INVALID',
    });
  });

  it('refuses an agent that signs with a key other than the enrolled one (fatal AGENT_AUTH_FAILED)', async () => {
    const cp = await planes.start();
    const token = await cp.enrollmentToken();
    const dataDir = await agents.dataDir();
    const honest = await agents.start({ serverUrl: cp.url, token, dataDir, name: 'a1' });
    await agentStatus(cp.api, honest.agentId, 'online');
    await honest.stop();
    // Same agent id and state, different private key: an impostor with a stolen agent.json.
    const { privateKey } = generateKeyPairSync('ed25519');
    await writeFile(join(dataDir, 'agent.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const impostor = await agents.start({ serverUrl: cp.url, dataDir, name: 'a1' });
    await expect(impostor.done).rejects.toMatchObject({ code: 'AGENT_AUTH_FAILED' });
    expect(impostor.stats().connected).toBe(false);
    await agentStatus(cp.api, honest.agentId, 'offline');
  });

  it('revocation closes the channel at once and the agent stops with AGENT_REVOKED', async () => {
    const cp = await planes.start();
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'r1',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const revokedAt = Date.now();
    expect((await cp.api.post(`/agents/${agent.agentId}/revoke`)).status).toBe(200);
    await expect(agent.done).rejects.toMatchObject({ code: 'AGENT_REVOKED' });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('a pending agent receives no jobs until an admin approves it, then runs them', async () => {
    const cp = await planes.start();
    const token = await cp.enrollmentToken({ policy: 'require-approval' });
    const agent = await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name: 'p1' });
    await agentStatus(cp.api, agent.agentId, 'pending');
    const jobId = await submitJob(cp.api, ECHO_HI, agent.agentId);
    await new Promise((r) => setTimeout(r, 500)); // several refused reconnects happen meanwhile
    expect((await cp.api.get(`/jobs/${jobId}`)).body.state).toBe('queued');
    expect(agent.stats()).toMatchObject({ connected: false, runsStarted: 0 });

    expect((await cp.api.post(`/agents/${agent.agentId}/approve`)).status).toBe(200);
    await agentStatus(cp.api, agent.agentId, 'online');
    const job = await finishedJob(cp.api, jobId);
    expect(job.state).toBe('succeeded');
    expect(agent.stats().runsStarted).toBe(1);
  });
});
