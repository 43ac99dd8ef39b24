/**
 * Values generated from the JSON Schemas of the OpenAPI document (the subset that `z.toJSONSchema`
 * emits): one plausible value per schema, and hostile variants of it. Deterministic: every
 * random choice comes from the seeded generator passed in.
 */

export type JsonSchema = Record<string, unknown>;

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a value is generated for: the property name helps pick a meaningful example. */
export interface ValueContext {
  random: () => number;
  /** Known good values by property name (workflow text, agent names…), tried first. */
  hints: ReadonlyMap<string, readonly unknown[]>;
}

/** Strings tried for a `pattern` (the first that matches is used): no regex inversion needed. */
const PATTERN_CANDIDATES = [
  'fuzz',
  'FUZZ_1',
  'fuzz-1',
  'a',
  '1',
  '25%',
  '30s',
  'role',
  'web',
  'fuzz@example.test',
  'x/y',
];

function pick<T>(random: () => number, values: readonly T[]): T {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
}

function variants(schema: JsonSchema): JsonSchema[] {
  const list = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return list ?? [];
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
  return type as string | undefined;
}

/** One value the schema accepts (as far as the subset allows), preferring hints for `name`. */
export function exampleValue(schema: JsonSchema, ctx: ValueContext, name?: string): unknown {
  const hinted = name === undefined ? undefined : ctx.hints.get(name);
  if (hinted !== undefined && hinted.length > 0) return pick(ctx.random, hinted);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return pick(ctx.random, schema.enum as unknown[]);
  if (schema.default !== undefined) return schema.default;
  const options = variants(schema);
  if (options.length > 0) return exampleValue(pick(ctx.random, options), ctx, name);
  switch (typeOf(schema) ?? 'unknown') {
    case 'string':
      return exampleString(schema);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const count = typeof schema.minItems === 'number' ? schema.minItems : 1;
      return Array.from({ length: count }, () => exampleValue(items, ctx));
    }
    case 'object':
      return exampleObject(schema, ctx);
    case 'null':
      return null;
    default:
      return 'fuzz';
  }
}

function exampleString(schema: JsonSchema): string {
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const candidates = [...PATTERN_CANDIDATES, 'x'.repeat(Math.max(min, 1))];
  return candidates.find((c) => c.length >= min && (pattern === undefined || pattern.test(c))) ?? 'fuzz';
}

function exampleObject(schema: JsonSchema, ctx: ValueContext): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    // Optional properties half of the time: both shapes reach the server.
    if (required.has(key) || ctx.hints.has(key) || ctx.random() < 0.5) out[key] = exampleValue(property, ctx, key);
  }
  if (Object.keys(properties).length === 0 && typeof schema.additionalProperties === 'object') {
    out.fuzz = exampleValue(schema.additionalProperties as JsonSchema, ctx);
  }
  return out;
}

/** JSON text placed as it is into a body (too deep for `JSON.stringify` to write). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `JSON.stringify` that writes `RawJson` values verbatim. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `__fuzz_raw_${raws.length - 1}__`;
  });
  return raws.reduce((out, raw, i) => out.replace(`"__fuzz_raw_${i}__"`, raw), text);
}

/** A value nested `depth` levels deep (arrays): deep input must be refused, never crash. */
export function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Hostile text: NUL bytes, over-long and odd Unicode, path tricks. */
export function hostileStrings(valid: string): string[] {
  return [
    '\u0000',
    `${valid}\u0000`,
    `\u0000${valid}`,
    'x'.repeat(5000),
    '\uD800',
    '../../../../etc/passwd',
    '',
    ' ',
    "' or 1=1 --",
    '%00',
    '\u202E\uFEFF',
  ];
}

/** Hostile numbers as query-string text: out of range for 32- and 53-bit integers, not numbers. */
export const HOSTILE_NUMBER_TEXT = [
  '3000000000',
  '2147483648',
  '2147483647',
  '-1',
  '-2147483649',
  '9007199254740993',
  '1e308',
  '1.5',
  'NaN',
  'Infinity',
  '0x10',
  '',
];

/** Hostile JSON values for a body property of any type. */
export function hostileJsonValues(valid: unknown): unknown[] {
  const text = typeof valid === 'string' ? valid : 'fuzz';
  return [
    ...hostileStrings(text),
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    1e308,
    1.5,
    -1,
    null,
    true,
    [],
    {},
    { '\u0000': '\u0000' },
    [text, '\u0000'],
    deeplyNested(64),
    new RawJson('['.repeat(5000) + ']'.repeat(5000)),
    'x'.repeat(1_100_000),
  ];
}
