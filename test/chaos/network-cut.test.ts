/**
 * SPEC §12: a network cut between agent and control plane during a run → the run finishes
 * locally; its events arrive once after the cut heals (§5.3 outbox, §6 exactly-once storage).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATES } from '@flotilla/protocol';
import type { AgentProcess } from './harness/agent-process.js';
import { cliBuilt, createChaosLab, requireBuiltCli, type ChaosLab } from './harness/chaos-lab.js';
import { agentRecorded, jobLogs } from './harness/evidence.js';
import type { ServerProcess } from './harness/server-process.js';
import type { TcpProxy } from './harness/tcp-proxy.js';
import { waitUntil } from './harness/wait.js';

requireBuiltCli('chaos: network cut during a run');

const LINES = 30;
const WORKFLOW = [
  'name: chaos-network-cut',
  'tasks:',
  '  - name: count',
  '    type: command',
  `    config: {command: sh, args: [-c, 'for i in $(seq 1 ${LINES}); do echo line-$i; sleep 0.1; done']}`,
].join('\n');

describe.skipIf(!cliBuilt)('chaos: network cut between agent and control plane during a run', () => {
  let lab: ChaosLab;
  let server: ServerProcess;
  let proxy: TcpProxy;
  let agent: AgentProcess;

  beforeAll(async () => {
    lab = await createChaosLab();
    server = await lab.startServer();
    proxy = await lab.proxy(server);
    agent = await lab.startAgent({ server, name: 'remote', via: proxy });
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('finishes the run while cut and delivers every line exactly once after healing', async () => {
    const job = await server.client.api.jobs.submit({ body: { workflow: WORKFLOW, target: { agent: 'remote' } } });
    const runId = job.runs[0]!.id;
    await waitUntil(async () => (await jobLogs(server.client, job.id)).some((l) => l.line === 'line-1'), {
      timeoutMs: 15_000,
      what: 'first lines stored',
    });

    proxy.cut();
    const linesAtCut = (await jobLogs(server.client, job.id)).filter((l) => l.stream === 'stdout').length;
    expect(linesAtCut).toBeLessThan(LINES);
    // The run goes on and ends on the agent, which records the end durably while offline.
    await waitUntil(() => agentRecorded(agent.dataDir, runId, 'run.finished'), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the agent recorded the end of the run while cut off',
    });
    // Nothing can have told the control plane yet.
    expect(TERMINAL_STATES.has((await server.client.api.jobs.get({ params: { id: job.id } })).state)).toBe(false);

    proxy.heal();
    const done = await waitUntil(
      async () => {
        const current = await server.client.api.jobs.get({ params: { id: job.id } });
        return TERMINAL_STATES.has(current.state) ? current : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'job terminal after the cut healed' },
    );
    expect(done.state).toBe('succeeded');
    expect(done.runs[0]).toMatchObject({ id: runId, state: 'succeeded', exitCode: 0 });

    const logs = await jobLogs(server.client, job.id);
    const seqs = logs.map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(logs.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(
      Array.from({ length: LINES }, (_, i) => `line-${i + 1}`),
    );
  }, 60_000);
});
