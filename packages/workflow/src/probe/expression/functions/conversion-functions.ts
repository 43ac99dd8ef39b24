import { checkStringLength } from '../context.js';
import { failed } from '../errors.js';
import { isMap, mapKeys, newMap, setEntry, stringify, toJsonText, typeName } from '../values.js';
import { arity, stringArg } from './call-site.js';
import type { CallSite, ProbeFunction } from './call-site.js';

// expr-lang's conversion builtins (docs/language-definition.md, "Type Conversion Functions").

const GO_INT = /^[+-]?\d+$/;
const GO_FLOAT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)$/;
const GO_FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's `strconv.ParseInt(s, 10, 64)`, within the integers a double holds exactly. */
export function parseGoInt(text: string, site: CallSite): number {
  const value = GO_INT.test(text) ? Number(text) : NaN;
  if (Number.isNaN(value)) throw failed(`${site.name}(): ${JSON.stringify(text)} is not an integer`, site.offset);
  if (!Number.isSafeInteger(value))
    throw failed(`${site.name}(): ${text} is beyond the integers this runner can hold exactly`, site.offset);
  return value;
}

/** Go's `strconv.ParseFloat(s, 64)` for decimal forms, `inf` and `nan`. */
export function parseGoFloat(text: string, site: CallSite): number {
  const special = GO_FLOAT_SPECIAL.exec(text);
  if (special !== null) {
    if ((special[2] ?? '').toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!GO_FLOAT.test(text)) throw failed(`${site.name}(): ${JSON.stringify(text)} is not a number`, site.offset);
  return Number(text);
}

/** Go's `base64.StdEncoding` of the UTF-8 bytes of `text`. */
export function encodeBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Go's strict `base64.StdEncoding` decoding, read back as UTF-8. */
export function decodeBase64(text: string, site: CallSite): string {
  if (!BASE64.test(text)) throw failed(`${site.name}(): the input is not standard base64`, site.offset);
  const binary = atob(text);
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Parses JSON text; failures name the function. */
export function parseJsonText(text: string, site: CallSite): unknown {
  checkStringLength(text.length, site.offset);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw failed(`${site.name}(): ${err instanceof Error ? err.message : String(err)}`, site.offset);
  }
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isMap(value)) return value;
  const out = newMap();
  for (const key of mapKeys(value).sort()) setEntry(out, key, sortKeysDeep(value[key]));
  return out;
}

export const CONVERSION_FUNCTIONS: Readonly<Record<string, ProbeFunction>> = {
  type(args, site) {
    arity(args, site, 1);
    return typeName(args[0]);
  },
  int(args, site) {
    arity(args, site, 1);
    const value = args[0];
    if (typeof value === 'number') return Math.trunc(value);
    if (typeof value === 'string') return parseGoInt(value, site);
    throw failed(`int(): cannot convert ${typeName(value)} to int`, site.offset);
  },
  float(args, site) {
    arity(args, site, 1);
    const value = args[0];
    if (typeof value === 'number') return value;
    if (typeof value === 'string') return parseGoFloat(value, site);
    throw failed(`float(): cannot convert ${typeName(value)} to float`, site.offset);
  },
  string(args, site) {
    arity(args, site, 1);
    return stringify(args[0]);
  },
  toJSON(args, site) {
    arity(args, site, 1);
    // Go's json.MarshalIndent(v, "", "  "): keys sorted, <, > and & escaped.
    const text = toJsonText(sortKeysDeep(args[0]), 2)
      .replaceAll('<', '\\u003c')
      .replaceAll('>', '\\u003e')
      .replaceAll('&', '\\u0026')
      .replaceAll('\u2028', '\\u2028')
      .replaceAll('\u2029', '\\u2029');
    checkStringLength(text.length, site.offset);
    return text;
  },
  fromJSON(args, site) {
    arity(args, site, 1);
    return parseJsonText(stringArg(args, 0, site), site);
  },
  toBase64(args, site) {
    arity(args, site, 1);
    return encodeBase64(stringArg(args, 0, site));
  },
  fromBase64(args, site) {
    arity(args, site, 1);
    return decodeBase64(stringArg(args, 0, site), site);
  },
};
