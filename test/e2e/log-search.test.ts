import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../../apps/server/test/helpers/databases.js';
import type { TestDatabase } from '../../apps/server/test/helpers/databases.js';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
const databases: TestDatabase[] = [];
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
  for (const db of databases.splice(0)) await db.cleanup();
});

interface SearchPage {
  items: {
    jobId: string;
    runId: string;
    agent: string;
    step: string;
    stream: string;
    seq: number;
    line: string;
    highlight: string;
  }[];
  nextCursor: string | null;
}

describe.each(DIALECTS)('log search with a real agent [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }

  it('finds the one line with a unique marker among 6,000 lines a run printed', async () => {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    const cp = await planes.start({ databaseUrl: database.url });
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'printer',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const [head, tail] = [randomBytes(4).toString('hex'), randomBytes(4).toString('hex')];
    const marker = `MARKER-${head}${tail}`;
    // 3,000 lines, the marker line, 3,000 more lines. The shell joins the marker from two halves,
    // so the logged command line (\`$ sh -c …\`) does not contain it: only the printed line does.
    const workflow = `
name: needle
tasks:
  - name: print
    type: command
    config: { command: sh, args: [-c, "seq -f 'request %g served from cache' 1 3000; H=${head}; T=${tail}; echo deploy ok: MARKER-$H$T verified; seq -f 'request %g served from cache' 3001 6000"] }
`;
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'printer'), 30_000);
    expect(job.state).toBe('succeeded');

    const res = await cp.api.get(`/logs/search?q=${marker}`);
    expect(res.status).toBe(200);
    const page = res.body as SearchPage;
    expect(page.items).toHaveLength(1);
    const hit = page.items[0]!;
    expect(hit).toMatchObject({
      jobId: job.id,
      runId: job.runs[0]!.id,
      agent: 'printer',
      step: 'print',
      stream: 'stdout',
    });
    expect(hit.line).toBe(`deploy ok: ${marker} verified`);
    expect(hit.highlight).toBe(`deploy ok: [[${marker}]] verified`);
    // The hit points at the line in the job's log: 3,000 lines and the `$ sh …` line come before it.
    const around = (await cp.api.get(`/jobs/${job.id}/logs?after=${hit.seq - 1}&limit=1`)).body as {
      items: { line: string }[];
    };
    expect(around.items[0]?.line).toBe(hit.line);
    // A common word matches thousands of lines; search pages through them.
    const common = (await cp.api.get('/logs/search?q=served&limit=100')).body as SearchPage;
    expect(common.items).toHaveLength(100);
    expect(common.nextCursor).not.toBeNull();
  });
});
