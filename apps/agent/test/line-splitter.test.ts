import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/jobs/line-splitter.js';

describe('LineSplitter', () => {
  it('splits on \\n and \\r\\n, keeping partial lines across chunks', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('one\ntw'))).toEqual(['one']);
    expect(s.push(Buffer.from('o\r\nthr'))).toEqual(['two']);
    expect(s.push(Buffer.from('ee\n\n'))).toEqual(['three', '']);
    expect(s.flush()).toEqual([]);
  });

  it('returns the final unterminated line on flush', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('a\nlast'))).toEqual(['a']);
    expect(s.flush()).toEqual(['last']);
    expect(s.flush()).toEqual([]);
  });

  it('decodes multi-byte characters split across chunks', () => {
    const bytes = Buffer.from('héllo wörld ✓\n');
    const s = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 1) lines.push(...s.push(bytes.subarray(i, i + 1)));
    expect(lines).toEqual(['héllo wörld ✓']);
  });

  it('cuts pathological long lines into bounded pieces', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij')).toEqual(['abcd', 'efgh']);
    expect(s.push('k\n')).toEqual(['ijk']);
    expect(s.push('123456789\n')).toEqual(['1234', '5678', '9']);
  });
});
