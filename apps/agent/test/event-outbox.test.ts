import { appendFile, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentFrame, RunEvent } from '@flotilla/protocol';
import { EventOutbox } from '../src/events/event-outbox.js';
import { eventually, tempDirs } from './helpers/temp-dir.js';

const dirs = tempDirs();
const open: EventOutbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
  await dirs.cleanup();
});

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const log = (line: string): RunEvent => ({
  kind: 'log',
  ts: '2025-01-01T00:00:00Z',
  step: 's',
  stream: 'stdout',
  line,
});

/** A transport that is "connected" when `up` is true and records what it sent. */
function transport(dataDir: string) {
  const t = {
    up: true,
    sent: [] as number[],
    /** Size of every frame sent: 1 for `run.event`, the item count for `run.events`. */
    frames: [] as number[],
    durableAtSend: true,
    send(frame: AgentFrame): boolean {
      if (!t.up) return false;
      const items = frame.type === 'run.event' ? [frame] : frame.type === 'run.events' ? frame.items : [];
      if (items.length === 0) return false;
      const disk = readFileSync(join(dataDir, 'outbox.jsonl'), 'utf8');
      for (const item of items) {
        // Write-ahead: a frame must already be on disk when it goes out.
        if (!disk.includes(`"seq":${item.seq},`)) t.durableAtSend = false;
        t.sent.push(item.seq);
      }
      t.frames.push(items.length);
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

describe('EventOutbox', () => {
  it('numbers events from 1 and sends each only after it is durable', async () => {
    const dataDir = await dirs.make();
    const t = transport(dataDir);
    const outbox = await openOutbox(dataDir, t);
    expect([outbox.push('r', log('a')), outbox.push('r', log('b')), outbox.push('r', log('c'))]).toEqual([1, 2, 3]);
    await eventually(() => t.sent.length === 3);
    expect(t.sent).toEqual([1, 2, 3]);
    expect(t.durableAtSend).toBe(true);
    outbox.ack(2);
    expect(outbox.size).toBe(1);
  });

  it('batches log lines into run.events frames of at most 500', async () => {
    const dataDir = await dirs.make();
    const t = transport(dataDir);
    const outbox = await openOutbox(dataDir, t);
    for (let i = 0; i < 1200; i += 1) outbox.push('r', log(String(i)));
    await eventually(() => t.sent.length === 1200);
    expect(t.sent).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(Math.max(...t.frames)).toBeLessThanOrEqual(500);
    expect(t.frames.length).toBeLessThanOrEqual(6);
    expect(t.durableAtSend).toBe(true);
    // a lone lifecycle event goes out as a plain run.event frame
    outbox.push('r', { kind: 'run.finished', ts: '2025-01-01T00:00:00Z', state: 'succeeded', exitCode: 0 });
    await eventually(() => t.sent.length === 1201);
    expect(t.frames.at(-1)).toBe(1);
  });

  it('keeps unacknowledged events across a restart and replays them after lastEventSeq', async () => {
    const dataDir = await dirs.make();
    const t = transport(dataDir);
    t.up = false;
    const first = await openOutbox(dataDir, t);
    for (const line of ['a', 'b', 'c', 'd']) first.push('r', log(line));
    await first.close(); // as far as the disk is concerned, a crash after the flush
    open.splice(0);

    const t2 = transport(dataDir);
    const second = await openOutbox(dataDir, t2);
    expect(second.size).toBe(4);
    second.resume(1);
    expect(t2.sent).toEqual([2, 3, 4]);
    expect(second.push('r', log('e'))).toBe(5);
  });

  it('never reuses a number after everything was acknowledged and compacted', async () => {
    const dataDir = await dirs.make();
    const t = transport(dataDir);
    const first = await openOutbox(dataDir, t);
    for (let i = 0; i < 2100; i += 1) first.push('r', log(String(i)));
    await eventually(() => t.sent.length === 2100);
    first.ack(2100);
    await first.close();
    open.splice(0);
    const text = await readFile(join(dataDir, 'outbox.jsonl'), 'utf8');
    expect(text.trim()).toBe('{"floor":2100}');
    const second = await openOutbox(dataDir, transport(dataDir));
    expect(second.size).toBe(0);
    expect(second.push('r', log('next'))).toBe(2101);
  });

  it('ignores a torn last line left by a crash', async () => {
    const dataDir = await dirs.make();
    const first = await openOutbox(dataDir, transport(dataDir));
    first.push('r', log('a'));
    await first.close();
    open.splice(0);
    await appendFile(join(dataDir, 'outbox.jsonl'), '{"type":"run.event","seq":2,"ru');
    const second = await openOutbox(dataDir, transport(dataDir));
    expect(second.size).toBe(1);
    expect(second.push('r', log('b'))).toBe(2);
  });

  it('jumps past numbers the server already holds, and resolves drained() on the last ack', async () => {
    const dataDir = await dirs.make();
    const t = transport(dataDir);
    const outbox = await openOutbox(dataDir, t);
    outbox.resume(41);
    expect(outbox.push('r', log('x'))).toBe(42);
    const drained = outbox.drained(2000);
    await eventually(() => t.sent.includes(42));
    outbox.ack(42);
    await expect(drained).resolves.toBe(true);
    await expect(outbox.drained(10)).resolves.toBe(true);
  });
});
