/**
 * Hardening finding 7: step processes must not outlive the agent. After `kill -9` of the agent
 * (its pid alone, or together with its launcher helper), the in-flight step's process group must
 * not run on as an orphan: it would finish its work behind the back of a run that is reported
 * `interrupted`, and a step with `on_interrupt: retry` would run twice at the same time.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATES, type Job } from '@flotilla/protocol';
import type { AgentProcess } from './harness/agent-process.js';
import { cliBuilt, createChaosLab, requireBuiltCli, type ChaosLab } from './harness/chaos-lab.js';
import { markerLines, storedSteps } from './harness/evidence.js';
import { spawnFlotilla } from './harness/managed-process.js';
import { childPids, processAlive, processGroupAlive, signalPids } from './harness/process-table.js';
import type { ServerProcess } from './harness/server-process.js';
import { waitUntil } from './harness/wait.js';

requireBuiltCli('chaos: step processes die with the agent');

/** How long a dead agent's step group may take to disappear (generous: the machine is shared). */
const GONE_WITHIN_MS = 15_000;

/** The step writes its pid (= its process group: steps lead a group of their own), then sleeps. */
function sleeperWorkflow(work: string): string {
  return [
    'name: chaos-step-lifetime',
    'tasks:',
    '  - name: long',
    '    type: command',
    `    config: {command: sh, args: [-c, 'echo $$ > ${join(work, 'pgid')}; sleep 30; touch ${join(work, 'marker')}']}`,
  ].join('\n');
}

/**
 * A retryable step: the first attempt writes its pid and sleeps, the retry (second line in
 * `pids`) finishes at once. Every attempt that finishes appends `done` to the marker.
 */
function retryWorkflow(work: string): string {
  const pids = join(work, 'pids');
  return [
    'name: chaos-step-retry',
    'tasks:',
    '  - name: long',
    '    type: command',
    '    on_interrupt: retry',
    `    config: {command: sh, args: [-c, 'echo $$ >> ${pids}; if [ $(wc -l < ${pids}) -eq 1 ]; then sleep 30; fi; echo done >> ${join(work, 'marker')}']}`,
  ].join('\n');
}

async function terminalJob(server: ServerProcess, jobId: string): Promise<Job> {
  return waitUntil(
    async () => {
      const current = await server.client.api.jobs.get({ params: { id: jobId } });
      return TERMINAL_STATES.has(current.state) ? current : undefined;
    },
    { timeoutMs: 30_000, what: 'job terminal after the agent restart', intervalMs: 100 },
  );
}

async function firstPid(file: string): Promise<number> {
  const pid = await waitUntil(
    async () => Number((await readFile(file, 'utf8').catch(() => '')).split('\n')[0]) || undefined,
    {
      timeoutMs: 15_000,
      what: 'the step started',
    },
  );
  return pid;
}

describe.skipIf(!cliBuilt)('chaos: step processes die with the agent', () => {
  let lab: ChaosLab;
  let server: ServerProcess;

  beforeAll(async () => {
    lab = await createChaosLab();
    server = await lab.startServer();
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it("kill -9 of the agent's pid alone: the in-flight step's process group dies with it", async () => {
    const agent: AgentProcess = await lab.startAgent({ server, name: 'pid-victim' });
    const work = await lab.dir('work-pid');
    const job = await server.client.api.jobs.submit({
      body: { workflow: sleeperWorkflow(work), target: { agent: 'pid-victim' } },
    });
    const pgid = await firstPid(join(work, 'pgid'));
    const helpers = childPids(agent.process.pid);

    await agent.kill9Pid();
    await waitUntil(() => !processGroupAlive(pgid), {
      timeoutMs: GONE_WITHIN_MS,
      what: "the step's process group gone after kill -9 of the agent's pid",
    });
    expect(existsSync(join(work, 'marker'))).toBe(false);
    // the launcher helper does not outlive the agent either
    await waitUntil(() => helpers.every((pid) => !processAlive(pid)), {
      timeoutMs: GONE_WITHIN_MS,
      what: 'the launcher helper gone after the agent',
    });

    // the run is reported truthfully: the at-most-once step was in flight and is not repeated
    await agent.restart();
    const done = await terminalJob(server, job.id);
    expect(done.state).toBe('interrupted');
    expect(storedSteps(server.dataDir, done.runs[0]!.id).map((s) => [s.step, s.status])).toEqual([
      ['long', 'interrupted'],
    ]);
    expect(existsSync(join(work, 'marker'))).toBe(false);
  }, 90_000);

  it('kill -9 of the agent with its launcher helper: the restarted agent kills the leftover before the retry', async () => {
    const agent: AgentProcess = await lab.startAgent({ server, name: 'pair-victim' });
    const work = await lab.dir('work-pair');
    const job = await server.client.api.jobs.submit({
      body: { workflow: retryWorkflow(work), target: { agent: 'pair-victim' } },
    });
    const pgid = await firstPid(join(work, 'pids'));
    const helpers = childPids(agent.process.pid);
    expect(helpers.length).toBeGreaterThanOrEqual(1);
    // The agent records the step's process group when the helper reports its start, a moment
    // after the step runs; a crash of both inside that moment is not covered (docs/agents.md),
    // so the test lets the record land first. Without a record at all (an agent that keeps no
    // ledger) it goes on after 5 s, and the checks below fail on what matters.
    await waitUntil(
      async () =>
        (await readFile(join(agent.dataDir, 'processes.jsonl'), 'utf8').catch(() => '')).includes(`{"pid":${pgid},`),
      { timeoutMs: 5000, what: "the step's process group in the agent's process ledger" },
    ).catch(() => undefined);

    // Nobody who started the step is left to stop it: only the next agent start can. Both are
    // stopped first, so neither sees the other die (and kills the step) before its own SIGKILL.
    signalPids([agent.process.pid, ...helpers], 'SIGSTOP');
    signalPids([agent.process.pid, ...helpers], 'SIGKILL');
    await agent.process.exited;
    await waitUntil(() => helpers.every((pid) => !processAlive(pid)), { what: 'the launcher helper killed' });
    expect(processGroupAlive(pgid)).toBe(true);

    await agent.restart();
    await waitUntil(() => !processGroupAlive(pgid), {
      timeoutMs: GONE_WITHIN_MS,
      what: "the previous agent's step process group gone after the agent restarted",
    });
    const done = await terminalJob(server, job.id);
    expect(done.state).toBe('succeeded');
    // the first attempt never finished; the retry ran once, after it was gone
    expect(await markerLines(join(work, 'pids'))).toHaveLength(2);
    expect(await markerLines(join(work, 'marker'))).toEqual(['done']);
  }, 90_000);

  it('kill -9 of `flotilla run` (no agent): the step process group dies with it', async () => {
    const work = await lab.dir('work-run');
    const file = join(work, 'workflow.yaml');
    await writeFile(file, sleeperWorkflow(work));
    const run = spawnFlotilla({ label: 'flotilla run', args: ['run', file], logFile: join(lab.root, 'run.log') });
    const pgid = await firstPid(join(work, 'pgid'));

    await run.kill9Pid();
    await waitUntil(() => !processGroupAlive(pgid), {
      timeoutMs: GONE_WITHIN_MS,
      what: "the step's process group gone after kill -9 of flotilla run",
    }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}; flotilla run printed:\n${await run.output()}`);
    });
    expect(existsSync(join(work, 'marker'))).toBe(false);
  }, 60_000);
});
