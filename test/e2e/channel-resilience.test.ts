import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeServerFrame } from '@flotilla/protocol';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, ECHO_HI, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

/** Opens a raw WebSocket to the agent channel and collects parsed frames. */
async function rawChannel(url: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/agent/v1/connect`);
  const frames: { type: string; code?: string }[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const decoded = decodeServerFrame(data, isBinary);
    frames.push(decoded.ok ? decoded.frame : { type: 'invalid', code: decoded.code });
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, frames };
}

describe('channel resilience (real server, real agents)', () => {
  it('answers malformed frames with PROTOCOL_ERROR and keeps serving', async () => {
    const cp = await planes.start();
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'a1',
    });
    await agentStatus(cp.api, agent.agentId, 'online');

    const raw = await rawChannel(cp.url);
    raw.ws.send('this is not json');
    raw.ws.send(JSON.stringify({ type: 'hello', agentId: 42 }));
    raw.ws.send(JSON.stringify({ type: 'teleport' }));
    const errors = () => raw.frames.filter((f) => f.type === 'error');
    await expect.poll(() => errors().length, { timeout: 5000 }).toBe(3);
    expect(errors().every((f) => f.code === 'PROTOCOL_ERROR')).toBe(true);
    expect(raw.frames[0]).toMatchObject({ type: 'challenge' });
    raw.ws.terminate();

    // Neither side is hurt: the server still serves REST and the channel, the agent still runs jobs.
    expect((await fetch(`${cp.url}/healthz`)).status).toBe(200);
    const job = await finishedJob(cp.api, await submitJob(cp.api, ECHO_HI, 'a1'));
    expect(job.state).toBe('succeeded');
    expect(agent.stats().protocolErrors).toBe(0);
    expect(cp.server.hub.stats.protocolErrors).toBeGreaterThanOrEqual(3);
  });

  it('reconnects by itself after the control plane restarts on the same port and data dir', async () => {
    const first = await planes.start();
    const agent = await agents.start({
      serverUrl: first.url,
      token: await first.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'a1',
    });
    await agentStatus(first.api, agent.agentId, 'online');
    await first.close();
    await expect.poll(() => agent.stats().connected, { timeout: 5000 }).toBe(false);

    const second = await planes.start({ dataDir: first.dataDir, port: first.port });
    await agentStatus(second.api, agent.agentId, 'online');
    expect(agent.stats().reconnects).toBeGreaterThanOrEqual(1);
    const job = await finishedJob(second.api, await submitJob(second.api, ECHO_HI, 'a1'));
    expect(job.runs[0]).toMatchObject({ state: 'succeeded', exitCode: 0 });
  });
});
