import { failed } from './errors.js';
import { chars, formatNumber, isMap, isNil, ownValue, typeName } from './values.js';

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'number' ? formatNumber(key) : typeName(key);
}

function index(length: number, key: unknown, what: string): number {
  if (typeof key !== 'number') throw failed(`cannot index ${what} with ${typeName(key)} ${describeKey(key)}`);
  const i = Math.trunc(key);
  const resolved = i < 0 ? length + i : i;
  if (resolved < 0 || resolved >= length) throw failed(`index out of range: ${i} (${what} length is ${length})`);
  return resolved;
}

/**
 * `object.key` / `object[key]` as expr-lang reads data: a map gives its own property or nil when
 * the key is missing; arrays and strings take integer indexes (negative from the end) and fail
 * out of range; nil and anything else fail. Never reads a prototype, a getter or a host object,
 * so `constructor`, `__proto__` and `prototype` are only ever ordinary (usually missing) keys.
 * `path` names the object in messages (`outputs.login`); it is called only on failure.
 */
export function getMember(object: unknown, key: unknown, path: () => string): unknown {
  if (isNil(object))
    throw failed(
      `cannot read ${describeKey(key)} of nil${path() === '' ? '' : ` (${path()} is nil)`}; use ?. to allow nil`,
    );
  if (isMap(object)) {
    if (typeof key !== 'string') throw failed(`cannot read ${typeName(key)} key ${describeKey(key)} of a map`);
    return ownValue(object, key) ?? null;
  }
  if (Array.isArray(object)) return (object as readonly unknown[])[index(object.length, key, 'array')] ?? null;
  if (typeof object === 'string') {
    const list = chars(object);
    return list[index(list.length, key, 'string')] ?? null;
  }
  throw failed(`cannot read ${describeKey(key)} of ${typeName(object)}${path() === '' ? '' : ` (${path()})`}`);
}

/** `get(v, key)`: like {@link getMember}, but nil instead of any failure. */
export function getMemberOrNil(object: unknown, key: unknown): unknown {
  try {
    return getMember(object, key, () => '');
  } catch {
    return null;
  }
}
