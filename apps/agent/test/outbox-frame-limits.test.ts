import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AGENT_FRAME_BYTES, type AgentFrame, type Failure, type RunEvent } from '@flotilla/protocol';
import { EventOutbox, MIN_FRAME_BYTES } from '../src/events/event-outbox.js';
import { eventually, tempDirs } from './helpers/temp-dir.js';

const dirs = tempDirs();
const open: EventOutbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
  await dirs.cleanup();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const TS = '2025-01-01T00:00:00.000Z';
const log = (line: string): RunEvent => ({ kind: 'log', ts: TS, step: 's', stream: 'stdout', line });
/** A `run.finished`; `error` may be the text an agent of protocol version 1 wrote. */
const finished = (error?: string): RunEvent => ({
  kind: 'run.finished',
  ts: TS,
  state: 'succeeded',
  exitCode: 0,
  ...(error === undefined ? {} : { error: error as unknown as Failure }),
});
/** 1,000 CJK characters: 3,000 bytes of UTF-8, 1,000 UTF-16 code units. */
const CJK_ROW = '漢'.repeat(1000);

/** Records every frame sent: its size in bytes as it goes on the wire, and its events by seq. */
function transport() {
  const t = {
    up: true,
    frameBytes: [] as number[],
    events: new Map<number, { runId: string; event: RunEvent }>(),
    send(frame: AgentFrame, text?: string): boolean {
      if (!t.up) return false;
      const json = JSON.stringify(frame);
      if (text !== undefined && text !== json) throw new Error('the text sent is not the frame');
      t.frameBytes.push(Buffer.byteLength(text ?? json, 'utf8'));
      const items = frame.type === 'run.event' ? [frame] : frame.type === 'run.events' ? frame.items : [];
      for (const { seq, runId, event } of items) t.events.set(seq, { runId, event });
      return true;
    },
  };
  return t;
}

async function openOutbox(dataDir: string, t: ReturnType<typeof transport>): Promise<EventOutbox> {
  const outbox = await EventOutbox.open(dataDir, t, silent);
  open.push(outbox);
  return outbox;
}

/** The `{quarantinedAt, reason, frame}` lines of the quarantine file. */
async function quarantined(dataDir: string): Promise<{ reason: string; frame: { seq: number; event: RunEvent } }[]> {
  const text = await readFile(join(dataDir, 'outbox-quarantine.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { reason: string; frame: { seq: number; event: RunEvent } });
}

describe('EventOutbox frame sizes, in bytes', () => {
  // Regression: frames were cut at 512 Ki UTF-16 code units; 500 CJK lines made a 1.5 MiB frame
  // that the control plane refused (1009) and the agent replayed forever.
  it('packs multibyte lines into frames of at most MAX_AGENT_FRAME_BYTES bytes, and fills them', async () => {
    const dataDir = await dirs.make();
    const t = transport();
    const outbox = await openOutbox(dataDir, t);
    for (let i = 0; i < 1200; i += 1) outbox.push('r', log(`${i} ${CJK_ROW}`));
    await eventually(() => t.events.size === 1200);
    // batches are filled to half a frame (what the store indexes in one go), never more
    expect(Math.max(...t.frameBytes)).toBeLessThanOrEqual(MAX_AGENT_FRAME_BYTES / 2);
    // 3.6 MB of lines in batches of ~512 KiB: not one line per frame
    expect(t.frameBytes.length).toBeLessThanOrEqual(8);
    for (let i = 0; i < 1200; i += 1) expect(t.events.get(i + 1)?.event).toEqual(log(`${i} ${CJK_ROW}`));
  });

  it('cuts an oversize event an older agent version left in the outbox, quarantines its original, and says so in the run error', async () => {
    const dataDir = await dirs.make();
    // What an older agent could leave: events bounded in UTF-16 code units (or not at all).
    const bigLine = '字'.repeat(200_000); // 600 KB: over the 512 KiB an event may take
    const bigError = `STEP_FAILED: ${'誤'.repeat(500_000)}`; // 1.5 MB
    const stored: { seq: number; runId: string; event: RunEvent }[] = [
      { seq: 1, runId: 'r1', event: log(bigLine) },
      { seq: 2, runId: 'r1', event: log('small') },
      { seq: 3, runId: 'r1', event: finished() },
      { seq: 4, runId: 'r2', event: finished(bigError) },
      { seq: 5, runId: 'r3', event: log(bigLine) },
    ];
    const text = stored.map((f) => JSON.stringify({ type: 'run.event', ...f })).join('\n');
    await writeFile(join(dataDir, 'outbox.jsonl'), `${text}\n`);

    const t = transport();
    const outbox = await openOutbox(dataDir, t);
    outbox.resume(0);
    expect(t.events.size).toBe(5);
    expect(Math.max(...t.frameBytes)).toBeLessThanOrEqual(MAX_AGENT_FRAME_BYTES);

    const line1 = t.events.get(1)?.event;
    expect(line1?.kind === 'log' && line1.line).toMatch(/^字+… \[truncated \d+ bytes\]$/u);
    expect(t.events.get(2)?.event).toEqual(log('small'));
    expect(t.events.get(3)?.event).toMatchObject({
      kind: 'run.finished',
      state: 'succeeded',
      error: { code: 'FRAME_TOO_LARGE', retryable: false },
    });
    // the older agent's `"CODE: message"` text is read as the failure it stands for
    expect(t.events.get(4)?.event).toMatchObject({
      kind: 'run.finished',
      error: {
        code: 'STEP_FAILED',
        message: expect.stringMatching(/^誤+… \[truncated \d+ bytes\]; FRAME_TOO_LARGE: /u),
        retryable: false,
      },
    });
    // a run still going when the agent stopped gets the note when it ends
    outbox.push('r3', finished());
    await eventually(() => t.events.size === 6);
    expect(t.events.get(6)?.event).toMatchObject({ error: { code: 'FRAME_TOO_LARGE' } });

    // nothing dropped silently: the originals are on disk, and a restart starts from the cut form
    await outbox.close();
    open.splice(0);
    const originals = await quarantined(dataDir);
    expect(originals.map((q) => [q.reason, q.frame.seq])).toEqual([
      ['stored-oversize', 1],
      ['stored-oversize', 4],
      ['stored-oversize', 5],
    ]);
    expect(originals[0]?.frame.event).toEqual(log(bigLine));
    const outboxLines = (await readFile(join(dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n');
    expect(Math.max(...outboxLines.map((l) => Buffer.byteLength(l)))).toBeLessThan(MAX_AGENT_FRAME_BYTES / 2);
  });

  it('after a refusal sends frames half as large, cutting (and quarantining) only what no longer fits', async () => {
    const dataDir = await dirs.make();
    const t = transport();
    t.up = false; // events wait for a session
    const outbox = await openOutbox(dataDir, t);
    for (let i = 0; i < 300; i += 1) outbox.push('r', log(`${i} ${CJK_ROW}`));
    const stdout = '漢'.repeat(30_000); // 90 KB, within the 64 KiB tail kept per output ...
    outbox.push('r', {
      kind: 'step.finished',
      ts: TS,
      step: 's',
      status: 'succeeded',
      exitCode: 0,
      outputs: { stdout },
    });
    outbox.push('r', finished());
    await eventually(async () => (await readFile(join(dataDir, 'outbox.jsonl'), 'utf8')).includes('"run.finished"'));

    // ... but not within the 64 KiB an event may take in 128 KiB frames
    outbox.frameRefused();
    outbox.frameRefused();
    outbox.frameRefused();
    expect(outbox.frameBytes).toBe(MAX_AGENT_FRAME_BYTES / 8);
    t.up = true;
    outbox.resume(0);
    expect(t.events.size).toBe(302);
    expect(Math.max(...t.frameBytes)).toBeLessThanOrEqual(MAX_AGENT_FRAME_BYTES / 8);
    for (let i = 0; i < 300; i += 1) expect(t.events.get(i + 1)?.event).toEqual(log(`${i} ${CJK_ROW}`));
    const step = t.events.get(301)?.event;
    expect(step?.kind === 'step.finished' && (step.outputs?.stdout as string)).toMatch(
      /^\[truncated \d+ bytes\] …漢+$/u,
    );
    expect(t.events.get(302)?.event).toMatchObject({ state: 'succeeded', error: { code: 'FRAME_TOO_LARGE' } });
    await outbox.close();
    open.splice(0);
    expect((await quarantined(dataDir)).map((q) => [q.reason, q.frame.seq])).toEqual([
      ['refused-by-control-plane', 301],
    ]);
  });

  it('stops halving at MIN_FRAME_BYTES', async () => {
    const outbox = await openOutbox(await dirs.make(), transport());
    for (let i = 0; i < 20; i += 1) outbox.frameRefused();
    expect(outbox.frameBytes).toBe(MIN_FRAME_BYTES);
  });
});
