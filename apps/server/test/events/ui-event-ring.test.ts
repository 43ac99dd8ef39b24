import { describe, expect, it } from 'vitest';
import { UiEventRing } from '../../src/events/ui-event-ring.js';
import type { RingEntry } from '../../src/events/ui-event-ring.js';

const scope = { tenantId: 'ten_1', projectId: 'prj_1' };
const job = (n: number) => ({ ...scope, event: { type: 'job.created' as const, jobId: `job_${n}` } });

describe('UiEventRing', () => {
  it('numbers events from 1, keeps the newest `capacity`, and replays what follows a position', () => {
    const ring = new UiEventRing({ capacity: 3 });
    expect(ring.latest).toBe(0);
    expect(ring.holdsAfter(0)).toBe(true);
    for (let n = 1; n <= 5; n++) expect(ring.push(job(n)).n).toBe(n);
    expect(ring.latest).toBe(5);
    expect([...ring.after(0)].map((e) => e.n)).toEqual([3, 4, 5]);
    expect([...ring.after(3)].map((e) => e.n)).toEqual([4, 5]);
    expect([...ring.after(5)]).toEqual([]);
    // Position 2 is the last one whose successors are all kept.
    expect([1, 2, 3, 5, 6].map((n) => ring.holdsAfter(n))).toEqual([false, true, true, true, false]);
  });

  it('forgets events past the age limit, by its clock', () => {
    let now = 1_000_000;
    const ring = new UiEventRing({ maxAgeMs: 1000, now: () => now });
    ring.push(job(1));
    now += 600;
    ring.push(job(2));
    now += 600;
    expect(ring.holdsAfter(0)).toBe(false);
    expect(ring.holdsAfter(1)).toBe(true);
    expect([...ring.after(0)].map((e) => e.n)).toEqual([2]);
    now += 5000;
    // Nothing is kept, yet a stream at the newest position has missed nothing.
    expect(ring.holdsAfter(2)).toBe(true);
    expect([...ring.after(0)]).toEqual([]);
    expect(ring.push(job(3)).n).toBe(3);
  });

  it('resumes after an id of its own epoch while the successors are kept; otherwise says why not', () => {
    const ring = new UiEventRing({ capacity: 2 });
    for (let n = 1; n <= 4; n++) ring.push(job(n));
    expect(ring.resumePoint(undefined)).toEqual({ after: 4, missed: null });
    expect(ring.resumePoint(ring.idOf(2))).toEqual({ after: 2, missed: null });
    expect(ring.resumePoint(ring.idOf(4))).toEqual({ after: 4, missed: null });
    expect(ring.resumePoint(ring.idOf(1))).toEqual({ after: 4, missed: 'expired' });
    const other = new UiEventRing();
    expect(other.epoch).not.toBe(ring.epoch);
    for (const id of [other.idOf(3), ring.idOf(5), 'nonsense', `${ring.epoch}.`, `${ring.epoch}.-1`, ''])
      expect(ring.resumePoint(id), id).toEqual({ after: 4, missed: 'unknown-id' });
  });

  it('tells listeners of each event at once, until they stop listening', () => {
    const ring = new UiEventRing();
    const heard: RingEntry[] = [];
    const stop = ring.listen((entry) => heard.push(entry));
    ring.push(job(1));
    expect(heard.map((e) => e.event)).toEqual([{ type: 'job.created', jobId: 'job_1' }]);
    stop();
    ring.push(job(2));
    expect(heard).toHaveLength(1);
  });
});
