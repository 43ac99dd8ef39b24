/**
 * The pure parts of the workflows pages: the form values of declared inputs (what `POST /jobs`
 * receives for each kind of field) and the numbering of the server's unified diff.
 */
import { describe, expect, it } from 'vitest';
import type { InputSpec } from '@flotilla/workflow';
import { initialFieldValue, inputValue } from '../../apps/web/src/components/workflows/input-values.js';
import { parseUnifiedDiff } from '../../apps/web/src/components/workflows/unified-diff.js';

const spec = (fields: Partial<InputSpec>): InputSpec => ({ type: 'string', required: false, ...fields });

describe('input fields', () => {
  it('start from the declared default, or empty', () => {
    expect(initialFieldValue(spec({ default: 'eu' }))).toBe('eu');
    expect(initialFieldValue(spec({}))).toBe('');
    expect(initialFieldValue(spec({ type: 'number', default: 3 }))).toBe(3);
    expect(initialFieldValue(spec({ type: 'number' }))).toBeNull();
    expect(initialFieldValue(spec({ type: 'boolean' }))).toBe(false);
    expect(initialFieldValue(spec({ type: 'array', default: [1, 2] }))).toBe('[\n  1,\n  2\n]');
    // an enum field holds the index of the default choice
    expect(initialFieldValue(spec({ type: 'number', enum: [1, 2, 3], default: 2 }))).toBe(1);
    expect(initialFieldValue(spec({ enum: ['a', 'b'] }))).toBeNull();
  });

  it('give POST /jobs values of the declared type, and nothing for an empty field', () => {
    expect(inputValue(spec({}), 'ada')).toBe('ada');
    expect(inputValue(spec({}), '')).toBeUndefined();
    expect(inputValue(spec({ type: 'number' }), null)).toBeUndefined();
    expect(inputValue(spec({ type: 'number' }), 0)).toBe(0);
    expect(inputValue(spec({ type: 'boolean' }), false)).toBe(false);
    // the enum's own value, typed as declared: 3 stays a number, "3" a string
    expect(inputValue(spec({ type: 'number', enum: [3, 5] }), 0)).toBe(3);
    expect(inputValue(spec({ enum: ['3', '5'] }), 1)).toBe('5');
    expect(inputValue(spec({ type: 'object' }), '{"a": [1]}')).toEqual({ a: [1] });
    expect(() => inputValue(spec({ type: 'array' }), '[1,')).toThrow(SyntaxError);
  });
});

describe('parseUnifiedDiff', () => {
  it('numbers context, removed and added lines from the hunk headers, without the file header', () => {
    const diff = [
      '===================================================================',
      '--- v1',
      '+++ v2',
      '@@ -2,3 +2,3 @@',
      ' tasks:',
      '-  - a',
      '+  - b',
      ' end',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    expect(parseUnifiedDiff(diff)).toEqual([
      { kind: 'hunk', text: '@@ -2,3 +2,3 @@' },
      { kind: 'context', text: 'tasks:', oldLine: 2, newLine: 2 },
      { kind: 'remove', text: '  - a', oldLine: 3 },
      { kind: 'add', text: '  - b', newLine: 3 },
      { kind: 'context', text: 'end', oldLine: 4, newLine: 4 },
      { kind: 'note', text: '\\ No newline at end of file' },
    ]);
  });

  it('reads nothing from an empty diff (identical versions)', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
  });
});
