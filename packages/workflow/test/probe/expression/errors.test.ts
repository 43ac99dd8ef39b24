import { describe, expect, it } from 'vitest';
import { ProbeExpressionError, compileProbeExpression } from '@flotilla/workflow';
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

describe('probe expression syntax errors', () => {
  // Offsets are 0-based in the source; the message names what was found.
  it.each<[string, number, RegExp]>([
    ['', 0, /empty/],
    ['   ', 0, /empty/],
    ['1 +', 3, /end of expression/],
    ['res.code ==', 11, /end of expression/],
    ['(1 + 2', 6, /end of expression/],
    ['res.code = 200', 9, /unexpected "="/],
    ['a b', 2, /unexpected "b"/],
    ['[1, 2', 5, /end of expression/],
    ['{a 1}', 3, /unexpected "1"/],
    ['"abc', 0, /never closed/],
    ["1 + 'x", 4, /never closed/],
    ['1 +* 2', 3, /unexpected/],
    ['a.', 2, /end of expression/],
    ['1abc', 1, /unexpected/],
    // expr refuses `??` mixed with another operator without parentheses (parser.go)
    ['a ?? b + c', 7, /\+ and \?\? cannot be mixed/],
    ['a ?? b == c', 7, /cannot be mixed/],
    // `#` and `.name` belong in predicates
    ['# > 1', 0, /inside a predicate/],
    ['.name == "x"', 0, /inside a predicate/],
    ['all(items, #foo)', 11, /unknown predicate variable #foo/],
    ['"\\q"', 1, /invalid escape sequence \\q/],
    ['99999999999999999999', 0, /too large/],
    ['user.name()', 5, /no methods/],
    ['len({x})', 4, /predicate/],
    ['all(items)', 0, /takes 2 arguments, got 1/],
    ['map(items, # * 2, 3)', 0, /takes 2 arguments, got 3/],
  ])('%j fails at %i', (source, offset, message) => {
    const err = failure(() => compileProbeExpression(source));
    expect(err.code).toBe<ProbeExpressionErrorCode>('EXPRESSION_SYNTAX');
    expect(err.offset).toBe(offset);
    expect(err.message).toMatch(message);
  });

  it('accepts the same operators once parenthesised', () => {
    expect(compileProbeExpression('(a ?? 1) + 2').evaluate({})).toBe(3);
    expect(compileProbeExpression('1 + a ?? 2').evaluate({})).toBe(3);
  });
});

describe('probe expression failures', () => {
  const env = { res: { body: { n: 1, s: 'x', list: [1, 2], map: { a: 1 }, none: null } }, outputs: {} };

  it.each<[string, RegExp, number?]>([
    // type errors: no conversion between strings, numbers, maps
    ['1 + {}', /invalid operation: int \+ map/, 2],
    ['"a" + 1', /invalid operation: string \+ int/],
    ['res.body.s * 2', /invalid operation: string \* int/],
    ['1 < "2"', /invalid operation: int < string/],
    ['-"x"', /invalid operation: - string/],
    ['1.5 % 1', /invalid operation: float % int/],
    ['1 % 0', /integer divide by zero/],
    ['"a" contains 1', /invalid operation: string contains int/],
    ['1 in "abc"', /operator in is not defined on string/],
    ['1.5..3', /invalid operation/],
    // `&&`, `||`, `!` and `?:` need bools (expr's VM asserts bool)
    ['res.body.s && true', /&& needs a bool, got string/],
    ['nil || true', /\|\| needs a bool, got nil/],
    ['!res.body.n', /not needs a bool, got int/],
    ['res.body.n ? 1 : 2', /\?: needs a bool/],
    // member of nil without ?. (expr: "cannot fetch … from <nil>"); index out of range
    ['outputs.login.token', /cannot read "token" of nil \(outputs\.login is nil\); use \?\. to allow nil/, 14],
    ['res.body.none.x', /cannot read "x" of nil/],
    ['res.body.list[5]', /index out of range: 5 \(array length is 2\)/],
    ['res.body.list["a"]', /cannot index array with string/],
    ['res.body.n.x', /cannot read "x" of int/],
    ['res.body.map[1]', /cannot read int key 1 of a map/],
    // unknown and unsupported functions (EXPRESSION_FAILED at compile time, so validation sees them)
    ['nosuch(1)', /unknown function nosuch\(\)/, 0],
    ['now()', /now\(\) is not available: Go time values/],
    ['file("/etc/passwd")', /file\(\) is not available/],
    // probe's argument rules (expr/expr_test.go TestNewCustomFunctions)
    ['random_int(0)', /must be positive/],
    ['random_int("100")', /must be an integer, got string/],
    ['random_int(100, 200)', /takes 1 argument, got 2/],
    ['random_str(-1)', /must be positive/],
    ['unixtime(123)', /takes 0 arguments, got 1/],
    ['encode_base64(123)', /argument 1 must be a string, got int/],
    ['decode_base64("invalid!")', /not standard base64/],
    ['parse_int("not_a_number")', /is not an integer/],
    ['parse_int([1, 2, 3])', /must be a string or a number, got array/],
    ['parse_float("x")', /is not a number/],
    ['parse_json("not json")', /not a JSON object or array/],
    ['parse_json("{bad")', /parse_json\(\):/],
    ['parse_json(123)', /must be a string, got int/],
    ['match_json(res.body)', /takes 2 arguments, got 1/],
    ['match_json(res.body, [1])', /both parameters must be maps/],
    ['match_json(res.body, {n: "/(/"})', /invalid regular expression/],
    ['"x" matches "("', /invalid regular expression/],
    ['len(1)', /len\(\): invalid argument \(type int\)/],
    ['all(res.body.map, true)', /argument 1 must be an array, got map/],
    ['filter([1, 2], # + 1)', /the predicate must give a bool, got int/],
    ['join([1, 2])', /item 0 is not a string/],
  ])('%s', (source, message, offset) => {
    const err = failure(() => compileProbeExpression(source).evaluate(env));
    expect(err.code).toBe<ProbeExpressionErrorCode>('EXPRESSION_FAILED');
    expect(err.message).toMatch(message);
    if (offset !== undefined) expect(err.offset).toBe(offset);
  });
});
