import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../../apps/server/test/helpers/databases.js';
import type { TestDatabase } from '../../apps/server/test/helpers/databases.js';
import { parseDatabaseUrl } from '../../apps/server/src/options/database-url.js';
import { openStore } from '../../apps/server/src/store/store.js';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';
import { eventually } from './helpers/rest.js';

const planes = controlPlanes();
const agents = testAgents();
const databases: TestDatabase[] = [];
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
  for (const db of databases.splice(0)) await db.cleanup();
});

interface LogPage {
  items: { step: string; stream: string; line: string; seq: number }[];
  nextCursor: string | null;
}

/** The rows of `run_steps` of a run, read straight from the store (the API does not list steps). */
async function stepRows(url: string, runId: string): Promise<{ step: string; status: string }[]> {
  const config = parseDatabaseUrl(url, process.cwd());
  if (typeof config === 'string') throw new Error(config);
  const store = await openStore(config);
  try {
    return await store.db
      .selectFrom('run_steps')
      .select(['step', 'status'])
      .where('run_id', '=', runId)
      .orderBy('step')
      .execute();
  } finally {
    await store.close();
  }
}

describe.each(DIALECTS)('NUL bytes in step output with a real agent [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }

  // Regression (hardening finding 4): PostgreSQL text cannot hold U+0000. A line `a\0b` made its
  // whole event batch fail to store, later events were stored past the gap, and the run showed
  // `succeeded` while its steps and log lines were lost.
  it('a step printing a\\0b: every step and every line is stored, NUL shown as U+FFFD', async () => {
    const database = await createTestDatabase(dialect);
    databases.push(database);
    const cp = await planes.start({ databaseUrl: database.url });
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'nul',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const workflow = `
name: nul-output
tasks:
  - name: print-nul
    type: command
    config: { command: sh, args: [-c, "echo before; printf 'a\\\\000b\\\\n'; echo after"] }
  - name: later
    type: command
    config: { command: echo, args: [done] }
`;
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'nul'), 30_000);
    expect(job.state).toBe('succeeded');
    const runId = job.runs[0]!.id;

    const page = (await cp.api.get(`/jobs/${job.id}/logs?limit=1000`)).body as LogPage;
    const stdout = page.items.filter((l) => l.stream === 'stdout').map((l) => `${l.step}: ${l.line}`);
    expect(stdout).toEqual(['print-nul: before', 'print-nul: a\uFFFDb', 'print-nul: after', 'later: done']);
    expect(await stepRows(database.url, runId)).toEqual([
      { step: 'later', status: 'succeeded' },
      { step: 'print-nul', status: 'succeeded' },
    ]);
    // Nothing stays unacknowledged in the agent's outbox.
    await eventually(() => Promise.resolve(agent.stats().outboxPending === 0), 10_000, 'outbox drained');
  }, 60_000);
});
