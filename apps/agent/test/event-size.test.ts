import { describe, expect, it } from 'vitest';
import { MAX_AGENT_FRAME_BYTES, type RunEvent } from '@flotilla/protocol';
import { DEFAULT_EVENT_LIMITS, boundEvent, eventBytes, eventLimits } from '../src/events/event-size.js';
import { MIN_FRAME_BYTES } from '../src/events/event-outbox.js';

const TS = '2025-01-01T00:00:00.000Z';
/** The documented caps at the full frame budget (docs/jobs.md, docs/security.md). */
const LINE_BYTES = 16 * 1024;
const OUTPUT_VALUE_BYTES = 64 * 1024;
/** Room for the marker after a cut. */
const MARKER = 64;
const LONE_SURROGATE = /\p{Cs}/u;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const log = (line: string, step = 's'): RunEvent => ({ kind: 'log', ts: TS, step, stream: 'stdout', line });

function lineOf(event: RunEvent): string {
  if (event.kind !== 'log') throw new Error(`expected a log event, got ${event.kind}`);
  return event.line;
}

/** The kept text and the marker of a cut line. */
function splitMarker(line: string): { kept: string; dropped: number } {
  const match = /^([\s\S]*)… \[truncated (\d+) bytes\]$/u.exec(line);
  if (match === null) throw new Error(`no truncation marker at the end of a ${line.length}-unit line`);
  return { kept: match[1]!, dropped: Number(match[2]) };
}

describe('boundEvent measures in UTF-8 bytes', () => {
  it('derives its caps from the shared frame limit', () => {
    expect(DEFAULT_EVENT_LIMITS).toMatchObject({
      frameBytes: MAX_AGENT_FRAME_BYTES,
      lineBytes: LINE_BYTES,
      outputValueBytes: OUTPUT_VALUE_BYTES,
    });
  });

  it('cuts a CJK log line at 16 KiB of bytes, not 16 Ki characters, with a marker counting the bytes dropped', () => {
    const line = '字'.repeat(20_000); // 60,000 bytes
    const bounded = lineOf(boundEvent(log(line)));
    expect(bytes(bounded)).toBeLessThan(LINE_BYTES + MARKER);
    const { kept, dropped } = splitMarker(bounded);
    expect(kept).toBe('字'.repeat(Math.floor(LINE_BYTES / 3)));
    expect(dropped).toBe(bytes(line) - bytes(kept));
  });

  it('never leaves half of a surrogate pair at the cut', () => {
    const bounded = lineOf(boundEvent(log(`a${'😀'.repeat(10_000)}`)));
    expect(bounded).not.toMatch(LONE_SURROGATE);
    const { kept } = splitMarker(bounded);
    expect(kept).toBe(`a${'😀'.repeat(4095)}`);
  });

  it('keeps the tail of a multibyte output within 64 KiB of bytes', () => {
    const stdout = `${'漢'.repeat(100_000)}END`;
    const event = boundEvent({
      kind: 'step.finished',
      ts: TS,
      step: 's',
      status: 'succeeded',
      exitCode: 0,
      outputs: { stdout, exit_code: 0 },
    });
    if (event.kind !== 'step.finished') throw new Error('kind changed');
    const kept = event.outputs?.stdout as string;
    expect(bytes(kept)).toBeLessThan(OUTPUT_VALUE_BYTES + MARKER);
    const match = /^\[truncated (\d+) bytes\] …([\s\S]*)$/u.exec(kept);
    expect(match).not.toBeNull();
    expect(match![2]!.endsWith('END')).toBe(true);
    expect(bytes(match![2]!)).toBeLessThanOrEqual(OUTPUT_VALUE_BYTES);
    expect(Number(match![1])).toBe(bytes(stdout) - bytes(match![2]!));
    expect(event.outputs?.exit_code).toBe(0);
  });

  it('bounds the error of a step or run', () => {
    const error = { code: 'STEP_FAILED' as const, message: '誤'.repeat(700_000), retryable: true, step: 'build' }; // 2.1 MB
    const event = boundEvent({ kind: 'run.finished', ts: TS, state: 'failed', exitCode: 1, error });
    if (event.kind !== 'run.finished') throw new Error('kind changed');
    expect(event.error).toMatchObject({ code: 'STEP_FAILED', retryable: true, step: 'build' });
    expect(event.error?.message.startsWith('誤')).toBe(true);
    expect(bytes(event.error!.message)).toBeLessThan(16 * 1024 + MARKER);
    expect(bytes(splitMarker(event.error!.message).kept)).toBeLessThanOrEqual(16 * 1024);
  });

  it('fits every kind of event, at every frame budget down to the smallest, whatever it carries', () => {
    // Control characters take 6 bytes each in JSON (\u0001): the worst case for a cap in bytes.
    const huge = '\u0001'.repeat(300_000) + '字'.repeat(300_000);
    const events: RunEvent[] = [
      { kind: 'run.started', ts: huge },
      { kind: 'step.started', ts: TS, step: huge, attempt: 1 },
      log(huge),
      log('ok', huge),
      {
        kind: 'step.finished',
        ts: TS,
        step: 's',
        status: 'failed',
        exitCode: 1,
        error: { code: 'STEP_FAILED', message: huge, retryable: false },
        outputs: { a: huge, b: huge, c: { nested: huge } },
      },
      { kind: 'step.finished', ts: TS, step: huge, status: 'failed', exitCode: null },
      {
        kind: 'run.finished',
        ts: TS,
        state: 'succeeded',
        exitCode: 0,
        error: { code: 'STEP_FAILED', message: huge, retryable: false },
      },
      {
        kind: 'run.finished',
        ts: TS,
        state: 'failed',
        exitCode: 1,
        error: { code: 'STEP_FAILED', message: 'm', retryable: false, step: huge },
      },
    ];
    const budgets: number[] = [];
    for (let frameBytes = MAX_AGENT_FRAME_BYTES; frameBytes >= MIN_FRAME_BYTES; frameBytes /= 2)
      budgets.push(frameBytes);
    expect(budgets.at(-1)).toBe(MIN_FRAME_BYTES);
    expect(budgets.length).toBeGreaterThan(1);
    for (const frameBytes of budgets) {
      const limits = eventLimits(frameBytes);
      for (const event of events) {
        const bounded = boundEvent(event, limits);
        expect(bounded.kind).toBe(event.kind);
        expect(eventBytes(bounded), `${event.kind} at ${frameBytes}`).toBeLessThanOrEqual(limits.eventBytes);
        // the state a run ended in is never lost
        if (event.kind === 'run.finished' && bounded.kind === 'run.finished') expect(bounded.state).toBe(event.state);
      }
    }
  });

  it('replaces an event that cannot be cut small enough by a stand-in that says FRAME_TOO_LARGE', () => {
    const event = boundEvent({
      kind: 'step.finished',
      ts: TS,
      step: 'x'.repeat(600_000),
      status: 'succeeded',
      exitCode: 0,
    });
    if (event.kind !== 'step.finished') throw new Error('kind changed');
    expect(event.status).toBe('succeeded');
    expect(event.error?.code).toBe('FRAME_TOO_LARGE');
  });

  it("keeps a stand-in's failure code: why the run failed matters more than why its event was cut", () => {
    const event = boundEvent({
      kind: 'run.finished',
      ts: TS,
      state: 'failed',
      exitCode: 2,
      error: { code: 'POLICY_DENIED', message: 'not allowed', retryable: false, step: 'x'.repeat(600_000) },
    });
    if (event.kind !== 'run.finished') throw new Error('kind changed');
    expect(event).toMatchObject({ state: 'failed', exitCode: 2, error: { code: 'POLICY_DENIED', retryable: false } });
    expect(event.error?.message).toMatch(/^not allowed \(FRAME_TOO_LARGE: /);
    expect(event.error?.step?.length).toBeLessThan(1000);
  });
});
