import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentHarness } from './helpers/agent-harness.js';
import type { PeerSession, ReceivedFrame } from './helpers/control-plane-peer.js';
import { runRecordsOnDisk } from './helpers/run-log.js';
import { eventually } from './helpers/temp-dir.js';

const h = agentHarness();
afterEach(() => h.cleanup());

const events = (s: PeerSession, runId: string): ReceivedFrame[] =>
  s.frames.filter((f) => f.type === 'run.event' && f.runId === runId);
const finished = (s: PeerSession, runId: string, timeoutMs = 5000) =>
  s.waitFor((f) => f.type === 'run.event' && f.runId === runId && f.event?.kind === 'run.finished', timeoutMs);

/** Every file under `dir`, recursively, with its contents. */
async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, text: await readFile(path, 'utf8') });
  }
  return out;
}

const SECRET = 'hunter2-s3cr3t-value';

describe('runs on the agent', () => {
  it('masks secrets in events and never writes them to disk in clear', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    await h.agent(cp, dataDir);
    const session = await cp.nextSession();
    const workflow = `
name: secretive
secrets: [API_TOKEN]
tasks:
  - name: use
    type: command
    config: { command: sh, args: [-c, 'echo "token=$API_TOKEN"; echo "$API_TOKEN" >&2'] }
  - name: fail
    type: command
    config: { command: sh, args: [-c, 'echo "bad $API_TOKEN"; exit 2'] }
`;
    session.send({
      type: 'job.offer',
      envelope: cp.envelope({ runId: 'sec', workflow, secrets: { API_TOKEN: SECRET } }),
    });
    const done = await finished(session, 'sec');
    expect(done.event).toMatchObject({ state: 'failed', exitCode: 2 });
    const wire = JSON.stringify(events(session, 'sec'));
    expect(wire).not.toContain(SECRET);
    expect(events(session, 'sec').map((f) => f.event?.line)).toEqual(expect.arrayContaining(['token=***', '***']));
    // the agent may have rewritten files meanwhile: wait for the run record to settle, then grep all
    await eventually(async () => (await runRecordsOnDisk(dataDir)).get('sec')?.state === 'finished');
    const files = await filesUnder(dataDir);
    expect(files.some((f) => f.path.includes('journal'))).toBe(true);
    expect(files.some((f) => f.path.endsWith('outbox.jsonl'))).toBe(true);
    for (const file of files) expect(file.text, file.path).not.toContain(SECRET);
  });

  it('job.cancel kills a running `sleep 30`, runs finally, and the run ends cancelled', async () => {
    const cp = h.peer();
    await h.agent(cp, await h.dirs.make());
    const session = await cp.nextSession();
    const workflow = `
name: cancellable
tasks:
  - { name: long, type: command, config: { command: sleep, args: ["30"] } }
finally:
  - { name: cleanup, type: command, config: { command: echo, args: [cleaned up] } }
`;
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'c1', workflow }) });
    await session.waitFor((f) => f.runId === 'c1' && f.event?.kind === 'step.started' && f.event.step === 'long');
    session.send({ type: 'job.cancel', runId: 'unknown-run' }); // ignored
    const started = Date.now();
    session.send({ type: 'job.cancel', runId: 'c1' });
    const done = await finished(session, 'c1');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(done.event?.state).toBe('cancelled');
    const steps = events(session, 'c1').filter((f) => f.event?.kind === 'step.finished');
    expect(steps.map((f) => [f.event?.step, f.event?.status])).toEqual([
      ['long', 'cancelled'],
      ['cleanup', 'succeeded'],
    ]);
    expect(events(session, 'c1').some((f) => f.event?.line === 'cleaned up')).toBe(true);
  });

  it('reports max_concurrent_runs in hello and queues offers beyond it', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    await writeFile(join(dataDir, 'policy.yaml'), 'max_concurrent_runs: 1\n');
    const agent = await h.agent(cp, dataDir);
    const session = await cp.nextSession();
    expect(session.frames.find((f) => f.type === 'hello')).toMatchObject({ maxConcurrentRuns: 1 });
    const nap = 'name: nap\ntasks:\n  - { name: nap, type: sleep, config: { duration: 300ms } }\n';
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'q1', workflow: nap }) });
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'q2', workflow: nap }) });
    await eventually(() => session.frames.filter((f) => f.type === 'job.ack').length === 2);
    expect(agent.stats()).toMatchObject({ runsActive: 1, runsQueued: 1 });
    const [a, b] = await Promise.all([finished(session, 'q1'), finished(session, 'q2')]);
    const startOf = (runId: string) =>
      session.frames.find((f) => f.runId === runId && f.event?.kind === 'run.started')?.seq ?? 0;
    // whichever was accepted first ran first; the other started only after it finished
    const [firstEnd, secondStart] =
      startOf('q1') < startOf('q2') ? [a.seq ?? 0, startOf('q2')] : [b.seq ?? 0, startOf('q1')];
    expect(secondStart).toBeGreaterThan(firstEnd);
  });
});
