import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from '@flotilla/steps';

describe('splitLines', () => {
  it('returns complete lines and the unterminated rest', () => {
    expect(splitLines('a\nb\nc')).toEqual({ lines: ['a', 'b'], rest: 'c' });
    expect(splitLines('a\n')).toEqual({ lines: ['a'], rest: '' });
    expect(splitLines('')).toEqual({ lines: [], rest: '' });
  });

  it('drops the carriage return of CRLF line ends and keeps empty lines', () => {
    expect(splitLines('a\r\n\r\nb\r\n')).toEqual({ lines: ['a', '', 'b'], rest: '' });
  });
});

describe('LineSplitter', () => {
  it('joins partial chunks and flushes a final unterminated line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push('hel');
    splitter.push('lo\r');
    splitter.push('\nwor');
    expect(lines).toEqual(['hello']);
    splitter.push('ld');
    splitter.end();
    expect(lines).toEqual(['hello', 'world']);
  });

  it('cuts a line longer than maxLineLength into pieces', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), { maxLineLength: 4 });
    splitter.push('abcdefghij');
    splitter.end();
    expect(lines).toEqual(['abcd', 'efgh', 'ij']);
  });
});
