import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';
import { eventually } from './helpers/rest.js';

const planes = controlPlanes();
const agents = testAgents();
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

async function onlineAgent(name = 'w1') {
  const cp = await planes.start();
  const dataDir = await agents.dataDir();
  const agent = await agents.start({ serverUrl: cp.url, token: await cp.enrollmentToken(), dataDir, name });
  await agentStatus(cp.api, agent.agentId, 'online');
  return { cp, agent };
}

/** The parent pid of a running process (field 4 of `/proc/<pid>/stat`, after the parenthesised name). */
const parentOf = (pid: number): number =>
  Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);

interface LogLine {
  step: string;
  stream: string;
  line: string;
}
const logsOf = async (cp: Awaited<ReturnType<typeof onlineAgent>>['cp'], jobId: string): Promise<LogLine[]> =>
  (await cp.api.get(`/jobs/${jobId}/logs`)).body.items as LogLine[];

describe('workflows on a real agent through the real server (engine executor)', () => {
  it('runs a multi-step workflow with needs and templated outputs', async () => {
    const { cp } = await onlineAgent();
    const workflow = `
name: multi
tasks:
  - { name: a, type: command, config: { command: echo, args: [alpha] } }
  - { name: b, needs: [], type: command, config: { command: echo, args: [beta] } }
  - name: c
    needs: [a, b]
    type: command
    config: { command: sh, args: [-c, 'echo "got $0"; exit 5', "code \${{ steps.a.outputs.exit_code }}"] }
`;
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'w1'));
    expect(job.runs[0]).toMatchObject({ state: 'failed', exitCode: 5 });
    const lines = (await logsOf(cp, job.id)).filter((l) => l.stream === 'stdout').map((l) => `${l.step}:${l.line}`);
    expect(lines).toEqual(expect.arrayContaining(['a:alpha', 'b:beta', 'c:got code 0']));
  });

  it('starts commands through the launcher helper the agent passes in its step services, not from the agent', async () => {
    const { cp } = await onlineAgent();
    const workflow =
      "name: parent\ntasks:\n  - { name: p, type: command, config: { command: sh, args: [-c, 'echo $PPID'] } }";
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'w1'));
    expect(job.runs[0]?.state).toBe('succeeded');
    const parent = Number((await logsOf(cp, job.id)).find((l) => l.stream === 'stdout')?.line);
    // the agent runs in this process: its commands' parent is the helper, a child of this process
    expect(parent).not.toBe(process.pid);
    expect(parentOf(parent)).toBe(process.pid);
  });

  it('cancels a running `sleep 30` through the API: process killed, finally runs, run cancelled', async () => {
    const { cp } = await onlineAgent();
    const workflow = `
name: cancellable
tasks:
  - { name: long, type: command, config: { command: sleep, args: ["30"] } }
finally:
  - { name: cleanup, type: command, config: { command: echo, args: [cleaned up] } }
`;
    const jobId = await submitJob(cp.api, workflow, 'w1');
    await eventually(async () => (await logsOf(cp, jobId)).some((l) => l.step === 'long'), 10_000, 'step long started');
    const started = Date.now();
    const res = await cp.api.post(`/jobs/${jobId}/cancel`);
    expect(res.status).toBeLessThan(300);
    const job = await finishedJob(cp.api, jobId);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(job.runs[0]?.state).toBe('cancelled');
    await eventually(
      async () => (await logsOf(cp, jobId)).some((l) => l.step === 'cleanup' && l.line === 'cleaned up'),
      5000,
      'finally step output stored',
    );
  });

  // Regression: a cancel sent while the offer was still unacknowledged reached the agent before
  // the run existed there and was dropped; the run then ran to completion.
  it('cancels a run right after submit, before the agent acknowledged it', async () => {
    const { cp } = await onlineAgent();
    const workflow =
      'name: quick-cancel\ntasks:\n  - { name: long, type: command, config: { command: sleep, args: ["30"] } }';
    for (let i = 0; i < 3; i += 1) {
      const jobId = await submitJob(cp.api, workflow, 'w1');
      const started = Date.now();
      expect((await cp.api.post(`/jobs/${jobId}/cancel`)).status).toBeLessThan(300);
      const job = await finishedJob(cp.api, jobId);
      expect(job.runs[0]?.state).toBe('cancelled');
      expect(Date.now() - started).toBeLessThan(8000);
    }
  });
});
