import { describe, expect, it } from 'vitest';
import { formatLabelSelector, matchesLabelSelector, parseLabelSelector } from '../src/index.js';

describe('label selector text', () => {
  it('parses key=value terms, ignoring spaces around keys and values', () => {
    expect(parseLabelSelector('role=web')).toEqual({ ok: true, selector: { role: 'web' } });
    expect(parseLabelSelector(' role = web , kubernetes.io/zone=eu-1,empty=')).toEqual({
      ok: true,
      selector: { role: 'web', 'kubernetes.io/zone': 'eu-1', empty: '' },
    });
    // a value runs to the next comma and may hold `=`
    expect(parseLabelSelector('query=a=b')).toEqual({ ok: true, selector: { query: 'a=b' } });
    // the same pair twice is harmless
    expect(parseLabelSelector('a=1,a=1')).toEqual({ ok: true, selector: { a: '1' } });
  });

  it('points at the term at fault', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['   ', 0],
      ['role', 0],
      ['role=web,zone', 9],
      ['role=web, zone', 10],
      ['role=web,,a=b', 9],
      ['role=web,bad key=x', 9],
      ['role=web,=x', 9],
      ['a=1,a=2', 4],
      [`a=${'x'.repeat(256)}`, 2],
    ];
    for (const [text, position] of cases) {
      const parsed = parseLabelSelector(text);
      expect(parsed, text).toMatchObject({ ok: false, position });
      if (!parsed.ok) expect(parsed.message.length, text).toBeGreaterThan(0);
    }
    expect(parseLabelSelector(`a=${'x'.repeat(5000)}`)).toMatchObject({ ok: false });
  });

  it('formats a selector back into text that parses to the same selector', () => {
    const selector = { zone: 'eu-1', role: 'web', 'app.kubernetes.io/name': 'shop' };
    const text = formatLabelSelector(selector);
    expect(text).toBe('app.kubernetes.io/name=shop,role=web,zone=eu-1');
    expect(parseLabelSelector(text)).toEqual({ ok: true, selector });
  });

  it('matches agents carrying every selector label with that value', () => {
    const labels = { role: 'web', zone: 'eu-1' };
    expect(matchesLabelSelector(labels, { role: 'web' })).toBe(true);
    expect(matchesLabelSelector(labels, { role: 'web', zone: 'eu-1' })).toBe(true);
    expect(matchesLabelSelector(labels, { role: 'web', zone: 'us-1' })).toBe(false);
    expect(matchesLabelSelector(labels, { tier: '' })).toBe(false);
    expect(matchesLabelSelector({ ...labels, tier: '' }, { tier: '' })).toBe(true);
    // inherited properties are not labels
    expect(matchesLabelSelector(labels, { constructor: '' })).toBe(false);
  });
});
