/**
 * SPEC §12: kill -9 of an agent in the middle of a workflow → on restart no finished step runs
 * again, no result is lost, the run ends in a truthful state (§5.3: an at-most-once step that
 * was in flight is not run again; the run ends `interrupted`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATES } from '@flotilla/protocol';
import type { AgentProcess } from './harness/agent-process.js';
import { cliBuilt, createChaosLab, requireBuiltCli, type ChaosLab } from './harness/chaos-lab.js';
import { jobLogs, markerLines, storedSteps, tally } from './harness/evidence.js';
import type { ServerProcess } from './harness/server-process.js';
import { waitUntil } from './harness/wait.js';

requireBuiltCli('chaos: agent killed during a workflow');

/** Step one prints numbered lines and leaves a marker; two hangs in flight; three must never run. */
function workflow(dir: string): string {
  const m = join(dir, 'marker');
  const s2 = join(dir, 's2');
  return [
    'name: chaos-agent-kill',
    'tasks:',
    '  - name: one',
    '    type: command',
    `    config: {command: sh, args: [-c, 'for i in 1 2 3 4 5 6 7 8 9 10; do echo before-$i; done; echo one >> ${m}']}`,
    '  - name: two',
    '    type: command',
    `    config: {command: sh, args: [-c, 'echo started >> ${s2}; sleep 30']}`,
    '  - name: three',
    '    type: command',
    `    config: {command: sh, args: [-c, 'echo three >> ${m}']}`,
  ].join('\n');
}

describe.skipIf(!cliBuilt)('chaos: agent killed with SIGKILL during a workflow', () => {
  let lab: ChaosLab;
  let server: ServerProcess;
  let agent: AgentProcess;

  beforeAll(async () => {
    lab = await createChaosLab();
    server = await lab.startServer();
    agent = await lab.startAgent({ server, name: 'victim' });
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('never re-runs a finished step, interrupts the in-flight one, loses no log line', async () => {
    const work = await lab.dir('work');
    const job = await server.client.api.jobs.submit({
      body: { workflow: workflow(work), target: { agent: 'victim' } },
    });
    const runId = job.runs[0]!.id;

    // Step two is in flight once its marker exists.
    await waitUntil(() => existsSync(join(work, 's2')), { timeoutMs: 15_000, what: 'step two started' });
    await agent.kill9();
    // Step two runs in a process group of its own, which the kill of the agent's group does not
    // reach; the launcher helper (in a session of its own) ends it when the agent goes.
    await waitUntil(() => lab.countProcesses(work) === 0, { timeoutMs: 15_000, what: 'step two ended with the agent' });

    await agent.restart();
    const done = await waitUntil(
      async () => {
        const current = await server.client.api.jobs.get({ params: { id: job.id } });
        return TERMINAL_STATES.has(current.state) ? current : undefined;
      },
      { timeoutMs: 30_000, what: 'job terminal after the agent restart', intervalMs: 100 },
    );

    expect(done.state).toBe('interrupted');
    expect(done.runs[0]).toMatchObject({ id: runId, state: 'interrupted' });
    // Step one ran exactly once and step three never ran.
    expect(await markerLines(join(work, 'marker'))).toEqual(['one']);
    // Step two (at-most-once `command`) was not started again.
    expect(await markerLines(join(work, 's2'))).toEqual(['started']);
    const steps = Object.fromEntries(storedSteps(server.dataDir, runId).map((s) => [s.step, s.status]));
    expect(steps).toMatchObject({ one: 'succeeded', two: 'interrupted' });
    expect(['skipped', undefined]).toContain(steps.three);

    // Every line printed before the crash arrived, once, in order; no event stored twice.
    const logs = await jobLogs(server.client, job.id);
    const seqs = logs.map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const before = logs.filter((l) => l.step === 'one' && l.stream === 'stdout').map((l) => l.line);
    expect(before).toEqual(Array.from({ length: 10 }, (_, i) => `before-${i + 1}`));
    expect([...tally(logs.map((l) => `${l.step}\u0000${l.line}`)).values()].every((n) => n === 1)).toBe(true);
  }, 60_000);
});
