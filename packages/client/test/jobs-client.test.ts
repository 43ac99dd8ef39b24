import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient } from '@flotilla/client';
import type { Job, LogLine } from '@flotilla/protocol';
import { testAgents } from '../../../test/e2e/helpers/agents.js';
import { ADMIN_PASSWORD, controlPlanes, type ControlPlane } from '../../../test/e2e/helpers/control-plane.js';
import { agentStatus } from '../../../test/e2e/helpers/jobs.js';
import { eventually } from '../../../test/e2e/helpers/rest.js';

const planes = controlPlanes();
const agents = testAgents();
let cp: ControlPlane;
let client: FlotillaClient;

const workflow = (script: string): string =>
  JSON.stringify({
    name: 'client-test',
    tasks: [{ name: 'sh', type: 'command', config: { command: 'sh', args: ['-c', script] } }],
  });

beforeAll(async () => {
  cp = await planes.start();
  const token = await cp.enrollmentToken({ uses: 2, labels: { role: 'web' } });
  for (const name of ['web-1', 'web-2']) {
    const agent = await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name });
    await agentStatus(cp.api, agent.agentId, 'online');
  }
  client = new FlotillaClient({ baseUrl: cp.url });
  await client.login('admin', ADMIN_PASSWORD);
});
afterAll(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

describe('FlotillaClient jobs (real server, real agents)', () => {
  it('followJob streams every line of a fan-out job and state changes, then returns the final job', async () => {
    const job = await client.api.jobs.submit({
      body: {
        workflow: workflow('echo one; echo two >&2'),
        target: { selector: { role: 'web' }, mode: 'all' },
      },
    });
    const lines: LogLine[] = [];
    const states: Job[] = [];
    const final = await client.followJob(job.id, { onLog: (l) => lines.push(l), onState: (j) => states.push(j) });
    expect(final.state).toBe('succeeded');
    expect(final.runs.map((r) => r.agent).sort()).toEqual(['web-1', 'web-2']);
    for (const run of final.runs) {
      const own = lines.filter((l) => l.runId === run.id);
      expect(own.map((l) => [l.stream, l.line])).toEqual(
        expect.arrayContaining([
          ['stdout', 'one'],
          ['stderr', 'two'],
        ]),
      );
    }
    // Sequence numbers are unique per job and arrive in order, each once.
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(states.length).toBeGreaterThan(0);
  });

  it('waitForJob with `after` skips lines already seen', async () => {
    const job = await client.api.jobs.submit({
      body: { workflow: workflow('echo a; echo b; echo c'), target: { agent: 'web-1' } },
    });
    const all: LogLine[] = [];
    await client.waitForJob(job.id, { onLog: (l) => all.push(l) });
    const first = all.find((l) => l.line === 'a');
    const rest: string[] = [];
    await client.waitForJob(job.id, { after: first?.seq ?? 0, onLog: (l) => rest.push(l.line) });
    expect(rest.filter((l) => l !== 'a')).toEqual(rest);
    expect(rest).toEqual(expect.arrayContaining(['b', 'c']));
  });

  it('cancelJob stops a running job; the follower sees it end cancelled', async () => {
    const job = await client.api.jobs.submit({
      body: { workflow: workflow('echo started; sleep 30'), target: { agent: 'web-2' } },
    });
    const following = client.followJob(job.id);
    await eventually(
      async () => (await client.api.jobs.get({ params: { id: job.id } })).runs[0]?.state === 'running',
      10_000,
      'run running',
    );
    const accepted = await client.api.jobs.cancel({ params: { id: job.id } });
    expect(accepted.id).toBe(job.id);
    const final = await following;
    expect(final.state).toBe('cancelled');
  });

  it('rerunJob submits a new job; searchLogs finds its lines with the agent name', async () => {
    const marker = `marker${Date.now()}`;
    const first = await client.api.jobs.submit({
      body: { workflow: workflow(`echo ${marker}; exit 3`), target: { agent: 'web-1' } },
    });
    expect((await client.waitForJob(first.id)).state).toBe('failed');
    const again = await client.api.jobs.rerun({ params: { id: first.id }, body: { from: 'start' } });
    expect(again.id).not.toBe(first.id);
    expect((await client.waitForJob(again.id)).state).toBe('failed');
    const hits = await eventually(async () => {
      const page = await client.api.logs.search({ query: { q: marker } });
      const echoed = page.items.filter((h) => h.line === marker);
      return echoed.length >= 2 ? echoed : undefined;
    });
    expect(hits.map((h) => h.jobId).sort()).toEqual([first.id, again.id].sort());
    expect(hits[0]).toMatchObject({ agent: 'web-1', stream: 'stdout' });
    expect(hits[0]?.highlight).toContain(`[[${marker}]]`);
  });

  it('reports unknown jobs with JOB_NOT_FOUND, for follow too', async () => {
    await expect(client.api.jobs.get({ params: { id: 'job_nope' } })).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(client.followJob('job_nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(client.api.jobs.cancel({ params: { id: 'job_nope' } })).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
    });
  });
});
