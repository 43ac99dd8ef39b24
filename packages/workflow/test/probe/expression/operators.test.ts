import { describe, expect, it } from 'vitest';
import { compileProbeExpression } from '@flotilla/workflow';

// Expected values follow expr-lang's language definition (expr-lang/expr docs/language-definition.md)
// and its parser's precedence table (parser/operator/operator.go); probe evaluates `test:`,
// `skipif:` and `outputs:` with it (linyows/probe expr/expr.go).

const env = {
  res: { code: 200, body: { id: 7, name: 'alice', tags: ['a', 'b'], user: { email: 'a@example.com' }, none: null } },
  vars: { n: 3, half: 1.5, text: 'Hello World' },
  outputs: { login: { token: 't0k' } },
};

const evaluate = (source: string): unknown => compileProbeExpression(source).evaluate(env);

describe('probe expression literals', () => {
  it.each<[string, unknown]>([
    ['42', 42],
    ['0x2A', 42],
    ['0o52', 42],
    ['0b101010', 42],
    ['1_000_000', 1000000],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e3', 1000],
    ['"foo"', 'foo'],
    ["'bar'", 'bar'],
    ['"a\\nb\\t\\u00e9\\x41\\101"', 'a\nb\té' + 'AA'],
    ['`raw\\n`', 'raw\\n'],
    ['true', true],
    ['false', false],
    ['nil', null],
    ['[1, "a", nil]', [1, 'a', null]],
    ['[1, 2,]', [1, 2]],
    ['{a: 1, "b c": 2, 3: 4, (vars.text): 5}', { a: 1, 'b c': 2, '3': 4, 'Hello World': 5 }],
    ['{}', {}],
  ])('%s', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });
});

describe('probe expression operators', () => {
  it.each<[string, unknown]>([
    // member access: `.`, `[]`, negative index, optional chaining, missing map key is nil
    ['res.body.name', 'alice'],
    ['res["body"]["name"]', 'alice'],
    ['res.body.tags[0]', 'a'],
    ['res.body.tags[-1]', 'b'],
    ['res.body.missing', null],
    ['res.body.none?.x', null],
    ['res.body.none?.x.y.z', null],
    ['res.body?.["name"]', 'alice'],
    ['vars?.n', 3],
    // slices (docs: "Slice Operator")
    ['res.body.tags[1:]', ['b']],
    ['[1, 2, 3, 4, 5][1:-1]', [2, 3, 4]],
    ['[1, 2, 3][:]', [1, 2, 3]],
    ['"hello"[1:3]', 'el'],
    // arithmetic; `/` is float division, `**` and `^` right-associative
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['7 / 2', 3.5],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['2 ** 3 ** 2', 512],
    ['2 ^ 10', 1024],
    ['-2 ** 2', -4],
    ['-vars.n', -3],
    ['+vars.half', 1.5],
    ['vars.n * vars.half', 4.5],
    // string concatenation
    ['"a" + "b"', 'ab'],
    ['vars.text + "!"', 'Hello World!'],
    // comparison, chained as `a < b && b < c`
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 4', false],
    ['"abc" < "abd"', true],
    ['1 < 2 < 3', true],
    ['3 > 2 > 2', false],
    // equality: numbers by value, arrays and maps deeply, nil == nil, no conversion
    ['1 == 1.0', true],
    ['"1" == 1', false],
    ['[1, [2]] == [1, [2]]', true],
    ['{a: 1, b: [2]} == {b: [2], a: 1}', true],
    ['{a: 1} == {a: 1, b: 2}', false],
    ['nil == nil', true],
    ['res.body.none == nil', true],
    ['res.body.missing != nil', false],
    // logic, symbol and word forms; `not` binds tighter than `==`
    ['true && false', false],
    ['true and true', true],
    ['false || true', true],
    ['false or false', false],
    ['!true', false],
    ['not false', true],
    ['not true == false', true],
    ['true or false and false', true],
    // membership
    ['"a" in res.body.tags', true],
    ['"z" not in res.body.tags', true],
    ['"name" in res.body', true],
    ['2 in [1, 2.0]', true],
    ['"x" in nil', false],
    // string operators
    ['res.body.name contains "lic"', true],
    ['res.body.name not contains "z"', true],
    ['res.body.name startsWith "al"', true],
    ['res.body.name endsWith "ce"', true],
    ['res.body.user.email matches "^[a-z]+@example\\\\.com$"', true],
    ['"ABC" matches "(?i)^abc$"', true],
    ['"abc" not matches "^b"', true],
    // nil coalescing (the tightest binary operator) and optional chaining
    ['res.body.missing ?? "default"', 'default'],
    ['res.body.name ?? "default"', 'alice'],
    ['undefinedName ?? "x"', 'x'],
    ['outputs.login?.token ?? "none"', 't0k'],
    ['outputs.logout?.token ?? "none"', 'none'],
    ['1 + res.body.missing ?? 2', 3],
    ['false ?? true', false],
    // ternary, nested to the right, and `?:`
    ['res.code == 200 ? "ok" : "bad"', 'ok'],
    ['res.code == 404 ? "nf" : res.code == 200 ? "ok" : "other"', 'ok'],
    ['true ?: "x"', true],
    // range, pipe, let, $env
    ['1..4', [1, 2, 3, 4]],
    ['3..1', []],
    ['res.body.tags | join(",")', 'a,b'],
    ['"  x " | trim() | upper()', 'X'],
    ['res.body.tags | map(# + "!")', ['a!', 'b!']],
    ['let x = vars.n * 2; x + 1', 7],
    ['let a = 1; let b = a + 1; [a, b]', [1, 2]],
    ['$env["vars"].n', 3],
    ['"res" in $env', true],
    // comments and multi-line text (YAML `|` blocks)
    ['res.code == 200 && // the status\n  res.body.id == 7 /* and the id */', true],
    ['res.code == 200 &&\n  len(res.body.tags) == 2 &&\n  res.body.user.email != nil\n', true],
    // operator words as property names
    ['{in: 1}.in', 1],
  ])('%s', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });

  it('short-circuits && and || so the right side is not evaluated', () => {
    expect(evaluate('false && res.body.none.x')).toBe(false);
    expect(evaluate('true || res.body.none.x')).toBe(true);
    expect(evaluate('res.body.none != nil && res.body.none.x == 1')).toBe(false);
  });

  it('lists the root names an expression reads, not let names or predicate variables', () => {
    expect(compileProbeExpression('res.code == 200 && outputs.a.b == vars.x').names).toEqual([
      'res',
      'outputs',
      'vars',
    ]);
    expect(compileProbeExpression('let y = res.code; y + z').names).toEqual(['res', 'z']);
    expect(compileProbeExpression('all(items, #.ok && .n > limit)').names).toEqual(['items', 'limit']);
    expect(compileProbeExpression('$env.x').names).toEqual(['$env']);
  });
});

describe('the example of docs/probe.md', () => {
  it('holds for a matching response and names what it reads', () => {
    const test = [
      'res.code == 200 &&                       // comments: // and /* */',
      '  res.body.user?.email matches "(?i)@example\\\\.com$" &&',
      '  all(res.body.items, .price > 0) &&',
      '  match_json(res.body, {id: "/^\\\\d+$/", name: "alice", items: res.body.items, user: res.body.user})',
    ].join('\n');
    const res = { code: 200, body: { id: 7, name: 'alice', items: [{ price: 1 }], user: { email: 'A@EXAMPLE.com' } } };
    const compiled = compileProbeExpression(test);
    expect(compiled.evaluate({ res })).toBe(true);
    expect(compiled.evaluate({ res: { ...res, body: { ...res.body, items: [{ price: 0 }] } } })).toBe(false);
    expect(compiled.names).toEqual(['res']);
  });
});
