import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentOptions } from '@flotilla/agent';
import { agentHarness } from './helpers/agent-harness.js';
import { agentProcesses } from './helpers/agent-process-runner.js';
import type { PeerSession, ReceivedFrame } from './helpers/control-plane-peer.js';
import type { FakeControlPlane } from './helpers/fake-control-plane.js';
import { eventually } from './helpers/temp-dir.js';

const h = agentHarness();
const processes = agentProcesses();
const strays: number[] = [];
afterEach(async () => {
  await processes.cleanup();
  // the step's own process group outlives a SIGKILLed agent, as it would on a real host
  for (const pid of strays.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await h.cleanup();
});

const stepEvents = (s: PeerSession, runId: string, step: string): ReceivedFrame[] =>
  s.frames.filter((f) => f.type === 'run.event' && f.runId === runId && f.event?.step === step);

function options(cp: FakeControlPlane, dataDir: string): AgentOptions {
  return {
    serverUrl: cp.url,
    token: 'enrol-token',
    dataDir,
    name: 'crashy',
    logLevel: 'silent',
    reconnectBase: '20ms',
    reconnectCap: '200ms',
    handshakeTimeout: '5s',
  };
}

/**
 * Starts a real agent process, gives it a 3-step run, SIGKILLs it while step 2 runs, restarts
 * it on the same data dir, and returns the session of the restarted agent.
 */
async function crashDuringStep2(secondStep: string): Promise<{ session: PeerSession; marker: string }> {
  const cp = await h.controlPlane();
  const dataDir = await h.dirs.make();
  const marker = join(dataDir, 'marker');
  const pidFile = join(dataDir, 'step2.pid');
  const workflow = `
name: crash
tasks:
  - { name: mark, type: command, config: { command: sh, args: [-c, "echo once >> ${marker}"] } }
  - ${secondStep.replace('PIDFILE', pidFile)}
  - { name: after, type: command, config: { command: echo, args: [after] } }
`;
  const first = processes.start(options(cp, dataDir));
  const session = await cp.nextSession(20_000);
  session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'crash-run', workflow }) });
  await session.waitFor((f) => f.event?.kind === 'step.started' && f.event.step === 'wait', 10_000);
  if (secondStep.includes('PIDFILE')) {
    // let the command really start (it wrote its pid) before pulling the plug
    const pid = await eventually(async () => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || 0);
    strays.push(pid);
  }
  await processes.kill(first);
  processes.start(options(cp, dataDir));
  return { session: await cp.nextSession(20_000), marker };
}

describe('crash recovery with a real agent process (kill -9)', () => {
  it('never re-runs a finished step; an in-flight at-most-once step ends interrupted, and so does the run', async () => {
    const { session, marker } = await crashDuringStep2(
      '{ name: wait, type: command, config: { command: sh, args: [-c, "echo $$ > PIDFILE; exec sleep 30"] } }',
    );
    const done = await session.waitFor((f) => f.runId === 'crash-run' && f.event?.kind === 'run.finished', 20_000);
    expect(done.event).toMatchObject({ state: 'interrupted' });
    expect(done.event?.error).toMatchObject({ code: 'INTERRUPTED', step: 'wait' });
    expect(
      stepEvents(session, 'crash-run', 'wait').find((f) => f.event?.kind === 'step.finished')?.event,
    ).toMatchObject({
      status: 'interrupted',
    });
    expect(stepEvents(session, 'crash-run', 'after').map((f) => f.event?.status)).toEqual(['skipped']);
    expect(stepEvents(session, 'crash-run', 'mark').some((f) => f.event?.kind === 'step.started')).toBe(false);
    expect(await readFile(marker, 'utf8')).toBe('once\n');
  }, 60_000);

  it('re-runs an in-flight idempotent step (sleep) and finishes the run', async () => {
    const { session, marker } = await crashDuringStep2('{ name: wait, type: sleep, config: { duration: 1500ms } }');
    const done = await session.waitFor((f) => f.runId === 'crash-run' && f.event?.kind === 'run.finished', 20_000);
    expect(done.event).toMatchObject({ state: 'succeeded', exitCode: 0 });
    const wait = stepEvents(session, 'crash-run', 'wait');
    expect(wait.find((f) => f.event?.kind === 'step.started')?.event?.attempt).toBe(2);
    expect(wait.find((f) => f.event?.kind === 'step.finished')?.event?.status).toBe('succeeded');
    expect(stepEvents(session, 'crash-run', 'after').some((f) => f.event?.line === 'after')).toBe(true);
    expect(await readFile(marker, 'utf8')).toBe('once\n');
  }, 60_000);

  it('resumes a run inside a called workflow: the callee comes from the journaled envelope, finished steps are not re-run', async () => {
    const cp = await h.controlPlane();
    const dataDir = await h.dirs.make();
    const marker = join(dataDir, 'marker');
    const lib = [
      'name: lib',
      'outputs: { done: steps.wait.status }',
      'tasks:',
      `  - { name: mark, type: command, config: { command: sh, args: [-c, "echo once >> ${marker}"] } }`,
      '  - { name: wait, type: sleep, config: { duration: 1500ms } }',
    ].join('\n');
    const workflow = [
      'name: caller',
      'tasks:',
      '  - { name: call, type: workflow, config: { name: lib } }',
      '  - { name: after, type: command, config: { command: echo, args: ["${{ steps.call.outputs.done }}"] } }',
    ].join('\n');
    const first = processes.start(options(cp, dataDir));
    const session = await cp.nextSession(20_000);
    const calledWorkflows = [{ name: 'lib', version: 4, document: lib }];
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'call-run', workflow, calledWorkflows }) });
    await session.waitFor((f) => f.event?.kind === 'step.started' && f.event.step === 'call/wait', 10_000);
    await processes.kill(first);
    processes.start(options(cp, dataDir));
    const resumed = await cp.nextSession(20_000);
    const done = await resumed.waitFor((f) => f.runId === 'call-run' && f.event?.kind === 'run.finished', 20_000);
    expect(done.event).toMatchObject({ state: 'succeeded' });
    const wait = stepEvents(resumed, 'call-run', 'call/wait');
    expect(wait.find((f) => f.event?.kind === 'step.started')?.event?.attempt).toBe(2);
    expect(stepEvents(resumed, 'call-run', 'after').some((f) => f.event?.line === 'succeeded')).toBe(true);
    expect(await readFile(marker, 'utf8')).toBe('once\n');
  }, 60_000);
});
