import { describe, expect, it } from 'vitest';
import { compileProbeExpression } from '@flotilla/workflow';

const env = {
  users: [
    { name: 'Ann', age: 31, active: true },
    { name: 'Bob', age: 25, active: false },
    { name: 'Cy', age: 40, active: true },
  ],
  nums: [3, 1, 2],
  data: '{"name": "test", "id": 123, "nested": {"id": 456}}',
  body: { name: 'test', age: 25, tags: ['a', 'b'], ok: true, none: null },
};

const evaluate = (source: string, options?: Parameters<ReturnType<typeof compileProbeExpression>['evaluate']>[1]) =>
  compileProbeExpression(source).evaluate(env, options);

describe("expr-lang's builtin functions", () => {
  // Expected values from expr-lang/expr docs/language-definition.md (each function's example).
  it.each<[string, unknown]>([
    // strings
    ['trim("  Hello  ")', 'Hello'],
    ['trim("__Hello__", "_")', 'Hello'],
    ['trimPrefix("HelloWorld", "Hello")', 'World'],
    ['trimSuffix("HelloWorld", "World")', 'Hello'],
    ['upper("hello")', 'HELLO'],
    ['lower("HELLO")', 'hello'],
    ['split("apple,orange,grape", ",")', ['apple', 'orange', 'grape']],
    ['split("apple,orange,grape", ",", 2)', ['apple', 'orange,grape']],
    ['splitAfter("apple,orange,grape", ",")', ['apple,', 'orange,', 'grape']],
    ['splitAfter("apple,orange,grape", ",", 2)', ['apple,', 'orange,grape']],
    ['replace("Hello World", "World", "Universe")', 'Hello Universe'],
    ['replace("aaa", "a", "b", 2)', 'bba'],
    ['repeat("Hi", 3)', 'HiHiHi'],
    ['indexOf("apple pie", "pie")', 6],
    ['indexOf("apple", "z")', -1],
    ['lastIndexOf("apple pie apple", "apple")', 10],
    ['hasPrefix("HelloWorld", "Hello")', true],
    ['hasSuffix("HelloWorld", "World")', true],
    // the operator words also as functions (an extension: expr has them as operators only)
    ['contains("abc", "b")', true],
    ['startsWith("abc", "a")', true],
    ['endsWith("abc", "bc")', true],
    ['matches("abc", "^a.c$")', true],
    // numbers
    ['max(5, 7)', 7],
    ['min(5, 7)', 5],
    ['max([1, 9, 3])', 9],
    ['abs(-5)', 5],
    ['ceil(1.5)', 2],
    ['floor(1.5)', 1],
    ['round(1.5)', 2],
    ['round(-1.5)', -2],
    ['mean([1, 2, 3])', 2],
    ['median([1, 2, 3])', 2],
    ['median([1, 2, 3, 4])', 2.5],
    ['sum([1, 2, 3])', 6],
    // arrays, with predicates (`#` the item, `.field` its field, braces optional)
    ['all(users, {.age > 18})', true],
    ['any(users, .age > 35)', true],
    ['one(users, #.name == "Bob")', true],
    ['none(users, .age > 50)', true],
    ['map(users, .name)', ['Ann', 'Bob', 'Cy']],
    ['filter(users, .active) | map(.name)', ['Ann', 'Cy']],
    ['filter(0..9, {# % 2 == 0})', [0, 2, 4, 6, 8]],
    ['find([1, 2, 3, 4], # > 2)', 3],
    ['findIndex([1, 2, 3, 4], # > 2)', 2],
    ['findLast([1, 2, 3, 4], # > 2)', 4],
    ['findLastIndex([1, 2, 3, 4], # > 2)', 3],
    ['find([1, 2], # > 5)', null],
    ['count(users, .active)', 2],
    ['count([true, false, true])', 2],
    ['sum(users, .age)', 96],
    ['groupBy(users, .active)', { true: [env.users[0], env.users[2]], false: [env.users[1]] }],
    ['sortBy(users, .age) | map(.name)', ['Bob', 'Ann', 'Cy']],
    ['sortBy(users, .name, "desc") | map(.name)', ['Cy', 'Bob', 'Ann']],
    ['reduce(1..9, #acc + #)', 45],
    ['reduce(1..9, #acc + #, 0)', 45],
    ['reduce(["a", "b"], #acc + # + string(#index), "")', 'a0b1'],
    ['map(nums, # * #index)', [0, 1, 4]],
    ['join(["apple", "orange", "grape"], ",")', 'apple,orange,grape'],
    ['join(["apple", "orange", "grape"])', 'appleorangegrape'],
    ['first([1, 2, 3])', 1],
    ['last([1, 2, 3])', 3],
    ['first([])', null],
    ['take([1, 2, 3, 4], 2)', [1, 2]],
    ['sort([3, 1, 4])', [1, 3, 4]],
    ['sort([3, 1, 4], "desc")', [4, 3, 1]],
    ['sort(["b", "a"])', ['a', 'b']],
    ['concat([1], [2, 3])', [1, 2, 3]],
    ['flatten([1, [2, [3]]])', [1, 2, 3]],
    ['uniq([1, 2, 1, "a", "a"])', [1, 2, 'a']],
    ['reverse([1, 2, 3])', [3, 2, 1]],
    // maps
    ['keys({"name": "John", "age": 30})', ['name', 'age']],
    ['values({"name": "John", "age": 30})', ['John', 30]],
    [
      'toPairs({"name": "John", "age": 30})',
      [
        ['name', 'John'],
        ['age', 30],
      ],
    ],
    ['fromPairs([["name", "John"], ["age", 30]])', { name: 'John', age: 30 }],
    // conversion
    ['type(42)', 'int'],
    ['type(1.5)', 'float'],
    ['type("hello")', 'string'],
    ['type(nil)', 'nil'],
    ['type([1])', 'array'],
    ['type({})', 'map'],
    ['type(true)', 'bool'],
    ['int("123")', 123],
    ['int(3.9)', 3],
    ['float("123.45")', 123.45],
    ['string(123)', '123'],
    ['string(1.5)', '1.5'],
    ['string(nil)', '<nil>'],
    ['toJSON({"name": "John", "age": 30})', '{\n  "age": 30,\n  "name": "John"\n}'],
    ['toJSON([1, "a<b"])', '[\n  1,\n  "a\\u003cb"\n]'],
    ['fromJSON(\'{"name": "John", "age": 30}\')', { name: 'John', age: 30 }],
    ['fromJSON("[1, 2]")', [1, 2]],
    ['toBase64("Hello World")', 'SGVsbG8gV29ybGQ='],
    ['fromBase64("SGVsbG8gV29ybGQ=")', 'Hello World'],
    // misc
    ['len([1, 2, 3])', 3],
    ['len({"name": "John", "age": 30})', 2],
    ['len("Hello")', 5],
    ['get([1, 2, 3], 1)', 2],
    ['get([1, 2, 3], 9)', null],
    ['get({"name": "John"}, "name")', 'John'],
    ['get(nil, "x")', null],
    // bitwise
    ['bitand(0b1010, 0b1100)', 0b1000],
    ['bitor(0b1010, 0b1100)', 0b1110],
    ['bitxor(0b1010, 0b1100)', 0b110],
    ['bitnand(0b1010, 0b1100)', 0b10],
    ['bitnot(0b1010)', -0b1011],
    ['bitshl(0b101101, 2)', 0b10110100],
    ['bitshr(0b101101, 2)', 0b1011],
  ])('%s', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });
});

describe("probe's functions", () => {
  // Expected values from linyows/probe expr/expr_test.go and jsonutil/match.go.
  it.each<[string, unknown]>([
    ['match_json(body, {name: "test", age: 25, tags: ["a", "b"], ok: true, none: nil})', true],
    ['match_json(body, {name: "/^te/", age: "/^2\\\\d$/", tags: ["/a/", "b"], ok: true, none: nil})', true],
    ['match_json(body, {name: "test", age: 25.0, tags: ["a", "b"], ok: true, none: nil})', true],
    ['match_json(body, {name: "test"})', false],
    ['match_json(body, {name: "test", age: 30, tags: ["a", "b"], ok: true, none: nil})', false],
    ['match_json(parse_json(data), {name: "test", id: 123, nested: {id: 456}})', true],
    ['diff_json(body, {name: "test", age: 25, tags: ["a", "b"], ok: true, none: nil})', 'No diff'],
    [
      'diff_json(body, {name: "test", age: 30, tags: ["a", "b"], ok: true, none: nil})',
      "Key 'age': Expected 30, got 25",
    ],
    ['diff_json(body, {name: "test"})', "Key 'age': Extra field in source"],
    ['diff_json({a: 1}, {a: 1, b: 2})', "Key 'b': Missing in source"],
    ['diff_json({a: {b: "x"}}, {a: {b: "y"}})', "Key 'a.b': Expected 'y', got 'x'"],
    ['diff_json({a: [1]}, {a: [1, 2]})', "Key 'a': Slice length mismatch (expected 2, got 1)"],
    ['diff_json({a: "x1"}, {a: "/^\\\\d+$/"})', "Key 'a': Regex mismatch (pattern: ^\\d+$, value: x1)"],
    ['diff_json({a: "x"}, {a: {b: 1}})', "Key 'a': Expected a map, got string"],
    ['parse_json(data).name', 'test'],
    ['parse_json(data).nested.id', 456],
    ['parse_json("  [1, 2] ")', [1, 2]],
    ['parse_int("123")', 123],
    ['parse_int("-456")', -456],
    ['parse_int(456.7)', 456],
    ['parse_float("1.5")', 1.5],
    ['parse_float("-2e3")', -2000],
    ['encode_base64("hello")', 'aGVsbG8='],
    ['encode_base64("")', ''],
    ['encode_base64("Hello, World!")', 'SGVsbG8sIFdvcmxkIQ=='],
    ['encode_base64("user:pass")', 'dXNlcjpwYXNz'],
    ['decode_base64("aGVsbG8=")', 'hello'],
    ['decode_base64("")', ''],
    ['decode_base64(encode_base64("Unicode: こんにちは"))', 'Unicode: こんにちは'],
    ['random_int(1)', 0],
    ['len(random_str(10))', 10],
    ['len(random_str(5.0))', 5],
    ['template("{{ body.name }}-{{ body.age + 1 }}")', 'test-26'],
    ['template("no templates")', 'no templates'],
  ])('%s', (source, expected) => {
    expect(evaluate(source)).toEqual(expected);
  });

  it('random_int and random_str draw from the injected randomness', () => {
    expect(evaluate('random_int(100)', { random: () => 0.4299 })).toBe(42);
    expect(evaluate('random_int(100.0)', { random: () => 0.999 })).toBe(99);
    expect(evaluate('random_str(4)', { random: () => 0 })).toBe('aaaa');
    expect(evaluate('random_str(3)', { random: () => 0.999 })).toBe('999');
    const values = new Set(Array.from({ length: 50 }, () => evaluate('random_str(16)')));
    expect(values.size).toBe(50);
    for (const value of values) expect(value).toMatch(/^[a-zA-Z0-9]{16}$/);
    for (let i = 0; i < 50; i++) expect(evaluate('random_int(3)')).toBeOneOf([0, 1, 2]);
  });

  it('unixtime reads the injected clock, in whole seconds', () => {
    expect(evaluate('unixtime()', { now: () => 1_700_000_000_999 })).toBe(1_700_000_000);
    const before = Math.floor(Date.now() / 1000);
    const now = evaluate('unixtime()') as number;
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(before + 1);
  });
});
