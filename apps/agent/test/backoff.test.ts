import { describe, expect, it } from 'vitest';
import { Backoff, fullJitterDelay } from '../src/connection/backoff.js';

describe('full-jitter backoff', () => {
  it('draws from [0, min(cap, base·2ⁿ))', () => {
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const window = Math.min(60_000, 100 * 2 ** attempt);
      expect(fullJitterDelay(attempt, 100, 60_000, () => 0)).toBe(0);
      expect(fullJitterDelay(attempt, 100, 60_000, () => 0.999999)).toBe(Math.floor(0.999999 * window));
      for (let i = 0; i < 50; i += 1) {
        const d = fullJitterDelay(attempt, 100, 60_000);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(window);
      }
    }
  });

  it('never exceeds the cap, even after very many attempts', () => {
    expect(fullJitterDelay(10_000, 1000, 60_000, () => 0.999999)).toBeLessThan(60_000);
    expect(fullJitterDelay(10_000, 1000, 60_000, () => 0.999999)).toBeGreaterThan(59_000);
  });

  it('grows per attempt and starts over after reset', () => {
    const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([50, 100, 200, 400, 500]);
    expect(b.attempt).toBe(5);
    b.reset();
    expect(b.next()).toBe(50);
  });

  it('spreads delays over the whole window (jitter, not waves)', () => {
    const samples = Array.from({ length: 2000 }, () => fullJitterDelay(5, 100, 60_000));
    const window = 3200;
    const low = samples.filter((d) => d < window / 4).length;
    const high = samples.filter((d) => d >= (3 * window) / 4).length;
    expect(low).toBeGreaterThan(300);
    expect(high).toBeGreaterThan(300);
  });
});
