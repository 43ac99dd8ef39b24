import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentHarness } from './helpers/agent-harness.js';
import type { PeerSession, ReceivedFrame } from './helpers/control-plane-peer.js';
import { runRecordsOnDisk } from './helpers/run-log.js';
import { eventually } from './helpers/temp-dir.js';

const h = agentHarness();
afterEach(() => h.cleanup());

const ECHO_HI = 'name: t\ntasks:\n  - name: hi\n    type: command\n    config: {command: echo, args: [hi]}';
const SLEEP = 'name: t\ntasks:\n  - { name: nap, type: command, config: { command: sleep, args: ["100"] } }';

const events = (s: PeerSession, runId: string): ReceivedFrame[] =>
  s.frames.filter((f) => f.type === 'run.event' && f.runId === runId);
const finished = (s: PeerSession, runId: string) =>
  s.waitFor((f) => f.type === 'run.event' && f.runId === runId && f.event?.kind === 'run.finished');

describe('jobs', () => {
  it('journals and acknowledges a verified offer, runs it, and reports sequenced events', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    const agent = await h.agent(cp, dataDir);
    const session = await cp.nextSession();
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'run1', workflow: ECHO_HI }) });
    await session.waitFor((f) => f.type === 'job.ack' && f.runId === 'run1');
    const done = await finished(session, 'run1');
    expect(done.event).toMatchObject({ state: 'succeeded', exitCode: 0 });
    const kinds = events(session, 'run1').map((f) => f.event?.kind);
    // the engine's `system` line (`$ echo hi`), then the command's output
    expect(kinds).toEqual(['run.started', 'step.started', 'log', 'log', 'step.finished', 'run.finished']);
    expect(events(session, 'run1').find((f) => f.event?.stream === 'stdout')?.event).toMatchObject({
      step: 'hi',
      stream: 'stdout',
      line: 'hi',
    });
    const seqs = events(session, 'run1').map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a! - b!));
    expect(new Set(seqs).size).toBe(seqs.length);
    const record = await eventually(async () => {
      const r = (await runRecordsOnDisk(dataDir)).get('run1');
      return r?.state === 'finished' ? r : undefined;
    });
    expect(record).toMatchObject({ runId: 'run1', result: { state: 'succeeded', exitCode: 0 } });
    await eventually(() => agent.stats().outboxPending === 0);
    await eventually(() => agent.stats().runsActive === 0);
    expect(agent.stats().runsStarted).toBe(1);
  });

  it('acknowledges a repeated offer again but never starts the run twice', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    const agent = await h.agent(cp, dataDir);
    const session = await cp.nextSession();
    const envelope = cp.envelope({ runId: 'run2', workflow: ECHO_HI });
    session.send({ type: 'job.offer', envelope });
    session.send({ type: 'job.offer', envelope });
    await finished(session, 'run2');
    session.send({ type: 'job.offer', envelope });
    await eventually(() => session.frames.filter((f) => f.type === 'job.ack').length === 3);
    await eventually(async () => (await runRecordsOnDisk(dataDir)).get('run2')?.state === 'finished');
    const journalPath = join(dataDir, 'journal.jsonl');
    expect(await readFile(journalPath, 'utf8')).toContain('"run":"run2"');
    await agent.stop();
    // and after a restart, the run log still knows it; the engine's journal, which only serves to
    // resume runs in flight, has let it go
    const again = await h.agent(cp, dataDir);
    expect(await readFile(journalPath, 'utf8')).not.toContain('"run":"run2"');
    const second = await cp.nextSession();
    second.send({ type: 'job.offer', envelope });
    await second.waitFor((f) => f.type === 'job.ack' && f.runId === 'run2');
    await new Promise((r) => setTimeout(r, 100));
    expect(events(session, 'run2').filter((f) => f.event?.kind === 'run.started')).toHaveLength(1);
    expect(events(second, 'run2')).toEqual([]);
    expect(again.stats().runsStarted).toBe(0);
  });

  it('rejects tampered, forged and misaddressed envelopes without running anything', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    const agent = await h.agent(cp, dataDir);
    const session = await cp.nextSession();
    const good = cp.envelope({ runId: 'tamper', workflow: ECHO_HI });
    const tampered = { ...good, payload: good.payload.replace('echo', 'touch') };
    const forged = cp.envelope({ runId: 'forged', workflow: ECHO_HI }, generateKeyPairSync('ed25519').privateKey);
    const elsewhere = cp.envelope({ runId: 'other', workflow: ECHO_HI, agentId: 'agent-2' });
    for (const envelope of [tampered, forged, elsewhere]) session.send({ type: 'job.offer', envelope });
    await eventually(() => session.frames.filter((f) => f.type === 'job.reject').length === 3);
    const rejects = session.frames.filter((f) => f.type === 'job.reject');
    expect(rejects.map((r) => [r.runId, r.code])).toEqual([
      ['tamper', 'ENVELOPE_SIGNATURE_INVALID'],
      ['forged', 'ENVELOPE_SIGNATURE_INVALID'],
      ['other', 'ENVELOPE_SIGNATURE_INVALID'],
    ]);
    expect(session.frames.some((f) => f.type === 'job.ack' || f.type === 'run.event')).toBe(false);
    expect([...(await runRecordsOnDisk(dataDir)).keys()]).toEqual([]);
    expect(agent.stats()).toMatchObject({ offersRejected: 3, runsStarted: 0 });
  });

  it('replays unacknowledged events after welcome.lastEventSeq on reconnect', async () => {
    const cp = h.peer();
    cp.responsive = false; // stores nothing, acks nothing
    const agent = await h.agent(cp, await h.dirs.make());
    const first = await cp.nextSession();
    first.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'replay', workflow: ECHO_HI }) });
    await finished(first, 'replay');
    const sent = events(first, 'replay');
    expect(agent.stats().outboxPending).toBe(sent.length);
    cp.lastEventSeq = sent[1]!.seq!; // the server claims it stored the first two
    cp.responsive = true;
    await first.close();
    const second = await cp.nextSession(3000);
    await finished(second, 'replay');
    expect(events(second, 'replay').map((f) => f.seq)).toEqual(sent.slice(2).map((f) => f.seq));
    await eventually(() => agent.stats().outboxPending === 0);
  });

  it('keeps the event sequence increasing across restarts', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    const agent = await h.agent(cp, dataDir);
    const first = await cp.nextSession();
    first.send({ type: 'job.offer', envelope: cp.envelope({ runId: 's1', workflow: ECHO_HI }) });
    const a = await finished(first, 's1');
    await agent.stop();
    cp.lastEventSeq = 0; // even a server that forgot cannot make the agent reuse numbers
    await h.agent(cp, dataDir);
    const second = await cp.nextSession();
    second.send({ type: 'job.offer', envelope: cp.envelope({ runId: 's2', workflow: ECHO_HI }) });
    await finished(second, 's2');
    expect(events(second, 's2')[0]!.seq).toBeGreaterThan(a.seq!);
  });

  it('keeps running while disconnected and delivers the result when back', async () => {
    const cp = h.peer();
    const agent = await h.agent(cp, await h.dirs.make());
    const first = await cp.nextSession();
    const workflow =
      'name: t\ntasks:\n  - { name: w, type: command, config: { command: "sleep 0.4; echo done", shell: true } }';
    first.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'offline', workflow }) });
    await first.waitFor((f) => f.type === 'job.ack');
    await first.close();
    const second = await cp.nextSession(3000);
    const done = await finished(second, 'offline');
    expect(done.event?.state).toBe('succeeded');
    expect(events(second, 'offline').some((f) => f.event?.line === 'done')).toBe(true);
    expect(agent.stats().runsStarted).toBe(1);
  });

  it('stop() interrupts running steps after the grace period, flushes, and closes with 1000', async () => {
    const cp = h.peer();
    const agent = await h.agent(cp, await h.dirs.make());
    const session = await cp.nextSession();
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'long', workflow: SLEEP }) });
    await session.waitFor((f) => f.type === 'run.event' && f.event?.kind === 'step.started');
    const started = Date.now();
    await agent.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(agent.done).resolves.toBeUndefined();
    expect((await finished(session, 'long')).event).toMatchObject({ state: 'interrupted' });
    expect(await session.closed).toBe(1000);
  });

  it('reports runs left in flight by a previous process as interrupted', async () => {
    const cp = h.peer();
    const dataDir = await h.dirs.make();
    const previous = await h.agent(cp, dataDir);
    await cp.nextSession();
    await previous.stop();
    await mkdir(join(dataDir, 'runs'), { recursive: true });
    await writeFile(
      join(dataDir, 'runs', 'crashed.json'),
      JSON.stringify({ runId: 'crashed', jobId: 'j', acceptedAt: new Date().toISOString(), state: 'accepted' }),
    );
    await h.agent(cp, dataDir);
    const session = await cp.nextSession();
    expect((await finished(session, 'crashed')).event).toMatchObject({ state: 'interrupted', exitCode: null });
    session.send({ type: 'job.offer', envelope: cp.envelope({ runId: 'crashed', workflow: ECHO_HI }) });
    await session.waitFor((f) => f.type === 'job.ack' && f.runId === 'crashed');
    await new Promise((r) => setTimeout(r, 100));
    expect(events(session, 'crashed').some((f) => f.event?.kind === 'run.started')).toBe(false);
  });
});
