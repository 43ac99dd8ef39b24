/**
 * Conversions between plain JSON-like values (what YAML, step outputs and the journal hold) and
 * CEL values. CEL distinguishes `int` (BigInt in cel-js) from `double` (number): an integral
 * number from YAML must become an `int` so that `inputs.count + 1` works, and results must come
 * back as plain JSON-safe values.
 */

/** Plain value → CEL value: integral numbers become BigInt, `undefined` members are dropped. */
export function toCel(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(toCel);
      if (value instanceof Map) {
        const out = new Map<unknown, unknown>();
        for (const [k, v] of value) if (v !== undefined) out.set(k, toCel(v));
        return out;
      }
      if (isTimestamp(value) || value instanceof Uint8Array) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toCel(v);
      return out;
    }
    case 'undefined':
    case 'function':
    case 'symbol':
      // no CEL meaning
      return null;
  }
}

const textDecoder = new TextDecoder();

/**
 * CEL value → plain value. BigInt becomes a number when it is a safe integer, otherwise its
 * decimal text (no silent precision loss); maps become objects; bytes become UTF-8 text;
 * timestamps become ISO-8601 text; optionals unwrap to their value or `null`.
 */
export function fromCel(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map(fromCel);
      if (value instanceof Set) return [...value].map(fromCel);
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) out[String(fromCel(k))] = fromCel(v);
        return out;
      }
      if (isTimestamp(value)) return value.toISOString();
      if (value instanceof Uint8Array) return textDecoder.decode(value);
      if (isOptional(value)) return value.hasValue() ? fromCel(value.value()) : null;
      if (value.constructor !== Object && value.constructor !== undefined) {
        // CEL durations (`90s`), types (`Type<int>`) and other library objects: their text form
        // is what a person expects
        return (value as { toString(): string }).toString();
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = fromCel(v);
      return out;
    }
    case 'function':
    case 'symbol':
      return null;
  }
}

/**
 * CEL timestamps are JavaScript dates. Recognised by their tag: the engine package may not name
 * the `Date` global (lint keeps clocks out of it).
 */
function isTimestamp(value: object): value is { toISOString(): string } {
  return Object.prototype.toString.call(value) === '[object Date]';
}

interface OptionalLike {
  hasValue(): boolean;
  value(): unknown;
}

function isOptional(value: object): value is OptionalLike {
  return (
    typeof (value as Partial<OptionalLike>).hasValue === 'function' &&
    typeof (value as Partial<OptionalLike>).value === 'function'
  );
}
