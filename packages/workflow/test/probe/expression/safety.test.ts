import { describe, expect, it } from 'vitest';
import {
  PROBE_EXPRESSION_LIMITS,
  ProbeExpressionError,
  compileProbeExpression,
  renderProbeTemplate,
} from '@flotilla/workflow';
import type { ProbeExpressionErrorCode } from '@flotilla/workflow';

function failure(run: () => unknown): ProbeExpressionError {
  try {
    run();
  } catch (err) {
    if (err instanceof ProbeExpressionError) return err;
    throw err;
  }
  throw new Error('expected a ProbeExpressionError');
}

const evaluate = (source: string, env: Record<string, unknown> = {}): unknown =>
  compileProbeExpression(source).evaluate(env);

describe('evaluation never reaches the host', () => {
  const env = { res: { body: { a: 1 } }, list: [1, 2], text: 'abc' };

  it.each([
    'res.constructor',
    'res["constructor"]',
    'res.__proto__',
    'res["__proto__"]',
    'res.prototype',
    'res.toString',
    'res.hasOwnProperty',
    'res.body.constructor?.constructor',
    '$env.constructor',
    'constructor',
    '__proto__',
    'process',
    'globalThis',
    'require',
    'Function',
  ])('%s is nil: only own data properties of plain maps are read', (source) => {
    expect(evaluate(source, env)).toBeNull();
  });

  it.each<[string, RegExp]>([
    ['list.constructor', /cannot index array with string "constructor"/],
    ['list["length"]', /cannot index array with string "length"/],
    ['text.constructor', /cannot index string with string "constructor"/],
    ['res.constructor.constructor', /cannot read "constructor" of nil/],
  ])('%s fails', (source, message) => {
    const err = failure(() => evaluate(source, env));
    expect(err.code).toBe<ProbeExpressionErrorCode>('EXPRESSION_FAILED');
    expect(err.message).toMatch(message);
  });

  it('calls nothing but the functions of the language', () => {
    let called = 0;
    const host = { fn: () => called++, obj: { fn: () => called++ } };
    expect(failure(() => evaluate('fn()', host)).code).toBe('EXPRESSION_FAILED');
    expect(failure(() => evaluate('obj.fn()', host)).code).toBe('EXPRESSION_SYNTAX');
    expect(failure(() => evaluate('(obj.fn)()', host)).code).toBe('EXPRESSION_SYNTAX');
    expect(failure(() => evaluate('obj["fn"]()', host)).code).toBe('EXPRESSION_SYNTAX');
    expect(failure(() => evaluate('fn.call', host)).message).toMatch(/cannot read "call" of unknown/);
    expect(failure(() => evaluate('toString()', host)).message).toMatch(/unknown function toString\(\)/);
    expect(failure(() => evaluate('constructor("x")', host)).code).toBe('EXPRESSION_FAILED');
    expect(called).toBe(0);
  });

  it('does not run getters or look into host objects', () => {
    let read = 0;
    const withGetter = {
      get secret() {
        read++;
        return 'x';
      },
    };
    expect(evaluate('data.secret', { data: withGetter })).toBeNull();
    expect(evaluate('"secret" in data', { data: withGetter })).toBe(false);
    expect(read).toBe(0);
    expect(failure(() => evaluate('m.a', { m: new Map([['a', 1]]) })).message).toMatch(/of unknown/);
    expect(failure(() => evaluate('e.message', { e: new Error('boom') })).message).toMatch(/of unknown/);
    expect(failure(() => evaluate('keys(x)', { x: Object.create({ inherited: 1 }) as object })).message).toMatch(
      /must be a map, got unknown/,
    );
    expect(
      evaluate('x.inherited', { x: Object.create(null, { own: { value: 1, enumerable: true } }) as object }),
    ).toBeNull();
  });

  it('leaves the environment as it was', () => {
    const data = { nums: [3, 1, 2], map: { b: 1, a: 2 } };
    const before = structuredClone(data);
    for (const source of [
      'sort(nums)',
      'reverse(nums)',
      'sortBy(nums, #)',
      'toJSON(map)',
      'keys(map)',
      'concat(nums, nums)',
    ])
      evaluate(source, data);
    expect(data).toEqual(before);
  });
});

describe('evaluation is bounded', () => {
  const limit = (run: () => unknown): ProbeExpressionError => {
    const err = failure(run);
    expect(err.code).toBe<ProbeExpressionErrorCode>('EXPRESSION_LIMIT');
    return err;
  };

  it('stops after the step budget', () => {
    limit(() => evaluate('map(1..1000, map(1..1000, # * 2))'));
    limit(() => evaluate('count(1..100000, any(1..100000, # == 0))'));
    expect(evaluate('len(map(1..1000, # * 2))')).toBe(1000);
  });

  it('gives each evaluation its own budget, so a compiled expression runs any number of times', () => {
    // ~800,000 steps: most of the budget, so a budget shared between runs would trip on the second
    const heavy = compileProbeExpression('count(1..100000, # >= 0 && # < 1e9)');
    for (let i = 0; i < 3; i++) expect(heavy.evaluate({})).toBe(100000);
    const test = compileProbeExpression('res.code == want');
    for (let i = 0; i < 10_000; i++) expect(test.evaluate({ res: { code: i % 3 }, want: 1 })).toBe(i % 3 === 1);
  });

  it('caps the strings and collections an expression makes', () => {
    limit(() => evaluate(`repeat("x", ${PROBE_EXPRESSION_LIMITS.stringLength + 1})`));
    limit(() => evaluate('reduce(1..30, #acc + #acc, "ab")'));
    limit(() => evaluate(`random_str(${PROBE_EXPRESSION_LIMITS.stringLength + 1})`));
    limit(() => evaluate(`0..${PROBE_EXPRESSION_LIMITS.collectionSize}`));
    limit(() => evaluate('join(map(1..100, big), "")', { big: 'x'.repeat(20_000) }));
    limit(() => evaluate('replace(big, "x", "yy")', { big: 'x'.repeat(600_000) }));
    limit(() => renderProbeTemplate('{{ big }}{{ big }}', { big: 'x'.repeat(600_000) }));
    expect((evaluate(`random_str(${PROBE_EXPRESSION_LIMITS.stringLength})`) as string).length).toBe(
      PROBE_EXPRESSION_LIMITS.stringLength,
    );
  });

  it('bounds template() nesting, as probe does (10)', () => {
    const err = limit(() => evaluate('template(loop)', { loop: '{{ template(loop) }}' }));
    expect(err.message).toMatch(/nest deeper than 10/);
  });

  it('refuses over-long and over-nested expressions without crashing', () => {
    limit(() => compileProbeExpression('1'.repeat(PROBE_EXPRESSION_LIMITS.sourceLength + 1)));
    limit(() => compileProbeExpression(`${'('.repeat(5000)}1${')'.repeat(5000)}`));
    limit(() => compileProbeExpression(`${'-'.repeat(5000)}1`));
    limit(() => compileProbeExpression(`${'['.repeat(65)}1${']'.repeat(65)}`));
    limit(() => compileProbeExpression(Array.from({ length: 5000 }, () => '1').join(' + ')));
    expect(compileProbeExpression(`${'('.repeat(50)}1${')'.repeat(50)}`).evaluate({})).toBe(1);
    expect(compileProbeExpression(Array.from({ length: 100 }, () => '1').join(' + ')).evaluate({})).toBe(100);
  });

  it('matches regular expressions in linear time (RE2), so a pattern cannot backtrack without end', () => {
    const text = `${'a'.repeat(100_000)}!`;
    expect(evaluate('text matches "^(a+)+$"', { text })).toBe(false);
    expect(evaluate('text matches "(a|aa)*c"', { text })).toBe(false);
    expect(evaluate('match_json({t: text}, {t: "/^(a|a?)+$/"})', { text })).toBe(false);
    limit(() => evaluate('"x" matches pattern', { pattern: 'a'.repeat(PROBE_EXPRESSION_LIMITS.patternLength + 1) }));
  });
});
