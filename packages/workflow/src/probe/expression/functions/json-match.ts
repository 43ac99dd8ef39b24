import { regexMatches } from '../regex.js';
import { formatNumber, isMap, isNil, mapKeys, stringify } from '../values.js';
import type { ProbeMap } from '../values.js';

// probe's match_json / diff_json (jsonutil/match.go): the expected value drives the comparison;
// maps must have exactly the same keys, arrays the same length, numbers compare as text (so 1,
// 1.0 and "1" match), and a string written `/regex/` matches any value whose text it matches.
// The first difference found ends the comparison, as in probe.

/** Go's `%T` of a decoded JSON value, for messages. */
function goType(value: unknown): string {
  if (isNil(value)) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  if (isMap(value)) return 'map[string]interface {}';
  return typeof value === 'number' ? 'float64' : typeof value === 'boolean' ? 'bool' : typeof value;
}

/** A number in Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
function plainNumber(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', lead = '', rest = '', exp = '0'] = match;
  const digits = lead + rest;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  return `${sign}${digits.padEnd(point, '0')}${digits.length > point ? `.${digits.slice(point)}` : ''}`;
}

/** probe's `mapping.AnyToString`: scalars as text, undefined for arrays and maps. */
function scalarText(value: unknown): string | undefined {
  if (isNil(value)) return 'nil';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? plainNumber(value) : formatNumber(value);
  return undefined;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The first difference of `actual` from `expected`, or undefined when they match. */
function firstDifference(actual: unknown, expected: unknown, path: string, offset?: number): string | undefined {
  if (isMap(expected)) {
    if (!isMap(actual)) return `Key '${path}': Expected a map, got ${goType(actual)}`;
    for (const key of mapKeys(expected)) {
      if (!mapKeys(actual).includes(key)) return `Key '${child(path, key)}': Missing in source`;
      const diff = firstDifference(actual[key], expected[key], child(path, key), offset);
      if (diff !== undefined) return diff;
    }
    const extra = mapKeys(actual).find((key) => !mapKeys(expected).includes(key));
    return extra === undefined ? undefined : `Key '${child(path, extra)}': Extra field in source`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `Key '${path}': Expected a slice, got ${goType(actual)}`;
    if (actual.length !== expected.length)
      return `Key '${path}': Slice length mismatch (expected ${expected.length}, got ${actual.length})`;
    for (let i = 0; i < expected.length; i++) {
      const diff = firstDifference(actual[i], expected[i], `${path}[${i}]`, offset);
      if (diff !== undefined) return diff;
    }
    return undefined;
  }
  if (typeof expected === 'number') {
    const want = scalarText(expected) ?? '';
    const got = scalarText(actual);
    if (got === undefined) return `Key '${path}': Expected ${want}, got ${stringify(actual)}`;
    return got === want ? undefined : `Key '${path}': Expected ${want}, got ${got}`;
  }
  if (typeof expected === 'string') {
    if (expected.length > 2 && expected.startsWith('/') && expected.endsWith('/')) {
      const pattern = expected.slice(1, -1);
      const got = scalarText(actual);
      if (got === undefined || !regexMatches(pattern, got, offset))
        return `Key '${path}': Regex mismatch (pattern: ${pattern}, value: ${got ?? stringify(actual)})`;
      return undefined;
    }
    if (actual === expected) return undefined;
    return `Key '${path}': Expected '${expected}', got '${isNil(actual) ? '<nil>' : stringify(actual)}'`;
  }
  if (isNil(expected) ? isNil(actual) : actual === expected) return undefined;
  return `Key '${path}': Expected '${stringify(expected)}', got '${stringify(actual)}'`;
}

/** probe's match_json(actual, expected). */
export function matchJson(actual: ProbeMap, expected: ProbeMap, offset?: number): boolean {
  return firstDifference(actual, expected, '', offset) === undefined;
}

/** probe's diff_json(actual, expected): the first difference, or "No diff". */
export function diffJson(actual: ProbeMap, expected: ProbeMap, offset?: number): string {
  return firstDifference(actual, expected, '', offset) ?? 'No diff';
}
