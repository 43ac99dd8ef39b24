/**
 * SPEC §12: kill -9 of the control plane during dispatch → after restart every accepted job
 * reaches a terminal state; nothing is delivered twice. Also covers the duplicate offer (§6): a
 * run the agent acknowledged but the crashed server did not record as acknowledged is offered
 * again after the restart, and the agent's journal must keep it from running twice.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATES, type Job } from '@flotilla/protocol';
import { cliBuilt, createChaosLab, requireBuiltCli, type ChaosLab } from './harness/chaos-lab.js';
import { markerLines, tally } from './harness/evidence.js';
import type { ServerProcess } from './harness/server-process.js';
import { waitUntil } from './harness/wait.js';

requireBuiltCli('chaos: control plane killed during dispatch');

const JOBS = 100;
const KILL_AFTER_ACCEPTED = 30;
const AGENTS = ['a1', 'a2', 'a3'];

/**
 * Job `n` appends `job-n` to its agent's marker file (one line per execution), then lingers a
 * second: with the agents' default of 4 concurrent runs, the crash then finds accepted runs in
 * every state — queued on the server, offered but not acknowledged, running, finished but not
 * yet reported.
 */
function workflow(n: number, markerFile: string): string {
  return `name: chaos-${n}\ntasks:\n  - name: mark\n    type: command\n    config: {command: sh, args: [-c, 'echo job-${n} >> ${markerFile}; sleep 1']}`;
}

describe.skipIf(!cliBuilt)('chaos: control plane killed with SIGKILL while 100 jobs are submitted', () => {
  let lab: ChaosLab;
  let server: ServerProcess;
  let work: string;

  beforeAll(async () => {
    lab = await createChaosLab();
    server = await lab.startServer();
    for (const name of AGENTS) await lab.startAgent({ server, name });
    work = await lab.dir('work');
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('runs every accepted job exactly once after the restart', async () => {
    const accepted = new Map<number, string>();
    let killed: Promise<void> | undefined;
    const submissions = Array.from({ length: JOBS }, async (_, n) => {
      const agent = AGENTS[n % AGENTS.length]!;
      const job = await server.client.api.jobs.submit({
        body: {
          workflow: workflow(n, join(work, `ran-${agent}.txt`)),
          target: { agent },
        },
      });
      accepted.set(n, job.id);
      if (accepted.size === KILL_AFTER_ACCEPTED) killed = server.kill9();
    });
    const outcomes = await Promise.allSettled(submissions);
    await killed;
    expect(killed, 'the control plane was killed mid-submission').toBeDefined();
    const refused = outcomes.filter((o) => o.status === 'rejected').length;
    expect(accepted.size + refused).toBe(JOBS);
    expect(accepted.size).toBeGreaterThanOrEqual(KILL_AFTER_ACCEPTED);

    await server.restart();

    // Every accepted job ends, and ends well: the agents reconnect by themselves.
    const byName = new Map<string, Job>();
    await waitUntil(
      async () => {
        byName.clear();
        for (const job of await allJobs(server)) byName.set(job.workflowName, job);
        const pending = [...byName.values()].filter((j) => !TERMINAL_STATES.has(j.state));
        return pending.length === 0 && [...accepted.keys()].every((n) => byName.has(`chaos-${n}`));
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'every stored job terminal' },
    );

    const ran = tally((await Promise.all(AGENTS.map((a) => markerLines(join(work, `ran-${a}.txt`))))).flat());
    for (const [n, jobId] of accepted) {
      const job = byName.get(`chaos-${n}`);
      expect(job?.id, `job ${n} is stored under the id the API returned`).toBe(jobId);
      expect(job?.state, `accepted job ${n}`).toBe('succeeded');
      expect(ran.get(`job-${n}`) ?? 0, `accepted job ${n} ran once`).toBe(1);
    }
    // Jobs whose POST died with the server may exist; if so they too end, and run at most once.
    for (let n = 0; n < JOBS; n += 1) {
      if (accepted.has(n)) continue;
      const job = byName.get(`chaos-${n}`);
      if (job === undefined) expect(ran.get(`job-${n}`), `unstored job ${n} never ran`).toBeUndefined();
      else {
        expect(TERMINAL_STATES.has(job.state), `stored unanswered job ${n} is terminal`).toBe(true);
        expect(ran.get(`job-${n}`) ?? 0, `stored unanswered job ${n} ran as often as it says`).toBe(
          job.state === 'succeeded' ? 1 : 0,
        );
      }
    }
    // Nothing ran that is not a stored job.
    for (const marker of ran.keys()) expect(byName.has(marker.replace('job-', 'chaos-')), marker).toBe(true);
  }, 120_000);
});

/** Every job of the project, following the cursor. */
async function allJobs(server: ServerProcess): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | undefined;
  do {
    const page = await server.client.api.jobs.list({
      query: { limit: 100, ...(cursor === undefined ? {} : { cursor }) },
    });
    jobs.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return jobs;
}
