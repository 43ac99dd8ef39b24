import { describe, expect, it } from 'vitest';
import { utf8Bytes, utf8Head, utf8Tail } from '../src/events/utf8-cut.js';

/** 1-, 2-, 3- and 4-byte characters (the last a surrogate pair in UTF-16), in every order. */
const MIXED = 'a字é😀b漢ü🎉c';
const LONE_SURROGATE = /\p{Cs}/u;

describe('utf8Head / utf8Tail', () => {
  it('cut at every byte limit: within the limit, maximal, and never inside a character or a surrogate pair', () => {
    const total = utf8Bytes(MIXED);
    const chars = Array.from(MIXED); // code points (a cut is never inside one; grapheme clusters are not our unit)
    for (let max = 0; max <= total + 1; max += 1) {
      const head = utf8Head(MIXED, max);
      expect(MIXED.startsWith(head)).toBe(true);
      expect(utf8Bytes(head)).toBeLessThanOrEqual(max);
      expect(head).not.toMatch(LONE_SURROGATE);
      // maximal: one more character would not fit
      const nextChar = chars[Array.from(head).length];
      if (nextChar !== undefined) expect(utf8Bytes(head + nextChar)).toBeGreaterThan(max);

      const tail = utf8Tail(MIXED, max);
      expect(MIXED.endsWith(tail)).toBe(true);
      expect(utf8Bytes(tail)).toBeLessThanOrEqual(max);
      expect(tail).not.toMatch(LONE_SURROGATE);
      const before = chars[chars.length - Array.from(tail).length - 1];
      if (before !== undefined) expect(utf8Bytes(before + tail)).toBeGreaterThan(max);
    }
  });

  it('returns short text unchanged, and counts a lone surrogate as the 3 bytes of U+FFFD it becomes', () => {
    expect(utf8Head('abc', 3)).toBe('abc');
    expect(utf8Tail('abc', 100)).toBe('abc');
    expect(utf8Bytes('\ud83d')).toBe(3);
    expect(utf8Head('x\ud83dyz', 4)).toBe('x\ufffd');
  });

  it('cuts a long run of emoji after a one-byte offset on a pair boundary', () => {
    const text = `a${'😀'.repeat(10_000)}`;
    const head = utf8Head(text, 16 * 1024);
    expect(utf8Bytes(head)).toBe(1 + 4 * 4095);
    expect(head).not.toMatch(LONE_SURROGATE);
  });
});
