import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@flotilla/protocol';
import { packRunEvents } from '../src/events/frame-packer.js';
import type { RunEventFrame } from '../src/events/outbox-file.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const PIECES = ['a', '字', 'é', '😀', '\u0001', '"', '\\'];

/** Deterministic lines of 0–3,000 code units mixing 1- to 4-byte characters and JSON escapes. */
function frames(count: number): RunEventFrame[] {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, (_, i) => {
    const line = Array.from({ length: next() % 1500 }, () => PIECES[next() % PIECES.length]).join('');
    const event: RunEvent = { kind: 'log', ts: '2025-01-01T00:00:00.000Z', step: 's', stream: 'stdout', line };
    return { type: 'run.event', seq: i + 1, runId: `run_${i % 3}`, event };
  });
}

describe('packRunEvents', () => {
  it('packs in order into frames within the byte and event limits, each as full as the next event allows', () => {
    const input = frames(2000);
    for (const limits of [
      { maxBytes: 64 * 1024, maxEvents: 500 },
      { maxBytes: 1024 * 1024, maxEvents: 500 },
      { maxBytes: 1024 * 1024, maxEvents: 7 },
    ]) {
      const packed = [...packRunEvents(input, limits)];
      const seqs: number[] = [];
      for (const [n, { frame, text }] of packed.entries()) {
        // the text sent is the frame, byte for byte
        expect(text).toBe(JSON.stringify(frame));
        expect(bytes(text)).toBeLessThanOrEqual(limits.maxBytes);
        const items = frame.type === 'run.events' ? frame.items : frame.type === 'run.event' ? [frame] : [];
        expect(items.length).toBeLessThanOrEqual(limits.maxEvents);
        if (frame.type === 'run.events') expect(items.length).toBeGreaterThan(1);
        seqs.push(...items.map((i) => i.seq));
        // full: the next event would not have fitted
        const following = packed[n + 1];
        if (following !== undefined && items.length < limits.maxEvents) {
          const firstNext = following.frame.type === 'run.events' ? following.frame.items[0] : following.frame;
          const grown = {
            type: 'run.events',
            items: [...items.map(({ seq, runId, event }) => ({ seq, runId, event })), firstNext],
          };
          expect(bytes(JSON.stringify(grown))).toBeGreaterThan(limits.maxBytes);
        }
      }
      expect(seqs).toEqual(input.map((f) => f.seq));
    }
  });

  it('sends an event too large for any frame alone, never merged with others', () => {
    const input = frames(3);
    const big = { ...input[1]!, event: { ...input[1]!.event, line: 'x'.repeat(100_000) } as RunEvent };
    const packed = [...packRunEvents([input[0]!, big, input[2]!], { maxBytes: 50_000, maxEvents: 500 })];
    expect(packed.map((p) => p.frame.type)).toEqual(['run.event', 'run.event', 'run.event']);
    expect(packed[1]!.text).toBe(JSON.stringify({ ...big }));
  });
});
