import { failed } from './errors.js';

/**
 * The values an expression works with are JSON-like: nil (`null`/`undefined`), booleans, numbers,
 * strings, arrays and plain objects ("maps"). Anything else a host puts in the environment (a
 * class instance, a function, a Map) can be passed along but not looked into or called, so that
 * evaluation never reaches the host.
 */
export type ProbeMap = Record<string, unknown>;

export function isNil(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/**
 * A plain object: made by a literal, JSON.parse or Object.create(null), in this realm or another
 * (whose Object.prototype is another object). Own data properties only are ever read.
 */
export function isMap(value: unknown): value is ProbeMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** expr-lang's `type()` names: nil, bool, int, float, string, array, map (and `unknown` for host values). */
export function typeName(value: unknown): string {
  if (isNil(value)) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return 'array';
  return isMap(value) ? 'map' : 'unknown';
}

/** The value of an own data property, or undefined; never a getter, never the prototype's. */
export function ownValue(map: ProbeMap, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(map, key);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

export function hasOwnKey(map: ProbeMap, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(map, key);
  return descriptor !== undefined && 'value' in descriptor;
}

/** Own keys of a map in insertion order. */
export function mapKeys(map: ProbeMap): string[] {
  return Object.keys(map).filter((key) => hasOwnKey(map, key));
}

/** A fresh, ordinary map; write to it with {@link setEntry}. */
export function newMap(): ProbeMap {
  return {};
}

/** Sets an own data property, so that a key like `__proto__` is an ordinary key, never the prototype. */
export function setEntry(map: ProbeMap, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A character-based index (strings count Unicode code points here; expr counts UTF-8 bytes). */
export function chars(value: string): string[] {
  return Array.from(value);
}

/** expr's `==`: numbers by value, arrays and maps deeply, nil equals nil, no conversion. */
export function probeEqual(a: unknown, b: unknown): boolean {
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => probeEqual(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = mapKeys(a);
    return keys.length === mapKeys(b).length && keys.every((k) => hasOwnKey(b, k) && probeEqual(a[k], b[k]));
  }
  return a === b;
}

/**
 * A number as Go's `%v` prints a float64 (`strconv` shortest form; exponent below 1e-4 or from
 * 1e21), except that integers are printed whole: probe prints JSON numbers (float64) of a million
 * or more as `1e+06`, which is never what a document means.
 */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0);
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e21) return String(value);
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/**
 * A value as a template prints it: strings as they are, numbers as {@link formatNumber}, nil as
 * `<nil>` (as probe prints it), arrays and maps as JSON.
 */
export function stringify(value: unknown): string {
  if (isNil(value)) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value) || isMap(value)) return toJsonText(value);
  throw failed(`cannot print a ${typeName(value)} value`);
}

/** Compact JSON of a JSON-like value; non-JSON values fail rather than vanish. */
export function toJsonText(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, jsonReplacer, indent);
  } catch (err) {
    throw failed(`cannot write the value as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`${formatNumber(value)} is not JSON`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (!isMap(value)) throw new TypeError(`a ${typeName(value)} value is not JSON`);
  return value;
}
