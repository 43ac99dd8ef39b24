import { checkCollectionSize } from '../context.js';
import { failed } from '../errors.js';
import { chars, isMap, mapKeys, newMap, probeEqual, setEntry, typeName } from '../values.js';
import { arity, arrayArg, intArg, mapArg, stringArg } from './call-site.js';
import type { CallSite, ProbeFunction } from './call-site.js';
import { getMemberOrNil } from '../member-access.js';

// expr-lang's array, map and misc builtins (docs/language-definition.md, "Array Functions",
// "Map Functions", "Miscellaneous Functions"); those that take a predicate are in predicates.ts.

function sortKey(value: unknown, site: CallSite): number | string {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw failed(`${site.name}(): cannot sort ${typeName(value)} values`, site.offset);
}

/** Sorts numbers or strings (not a mix), ascending or descending. */
export function sortValues(
  items: readonly unknown[],
  keys: readonly unknown[],
  order: string,
  site: CallSite,
): unknown[] {
  if (order !== 'asc' && order !== 'desc')
    throw failed(`${site.name}(): the order must be "asc" or "desc", got ${JSON.stringify(order)}`, site.offset);
  const typed = keys.map((key) => sortKey(key, site));
  if (new Set(typed.map((key) => typeof key)).size > 1)
    throw failed(`${site.name}(): cannot sort numbers and strings together`, site.offset);
  const sign = order === 'asc' ? 1 : -1;
  return items
    .map((item, i) => ({ item, key: typed[i] ?? 0 }))
    .sort((a, b) => (a.key < b.key ? -sign : a.key > b.key ? sign : 0))
    .map((entry) => entry.item);
}

export const COLLECTION_FUNCTIONS: Readonly<Record<string, ProbeFunction>> = {
  len(args, site) {
    arity(args, site, 1);
    const value = args[0];
    if (typeof value === 'string') return chars(value).length;
    if (Array.isArray(value)) return value.length;
    if (isMap(value)) return mapKeys(value).length;
    throw failed(`len(): invalid argument (type ${typeName(value)})`, site.offset);
  },
  get(args, site) {
    arity(args, site, 2);
    return getMemberOrNil(args[0], args[1]);
  },
  first(args, site) {
    arity(args, site, 1);
    const items: unknown = args[0];
    return Array.isArray(items) ? ((items as readonly unknown[])[0] ?? null) : null;
  },
  last(args, site) {
    arity(args, site, 1);
    const items: unknown = args[0];
    return Array.isArray(items) ? ((items as readonly unknown[])[items.length - 1] ?? null) : null;
  },
  take(args, site) {
    arity(args, site, 2);
    const items = arrayArg(args, 0, site);
    const n = intArg(args, 1, site);
    if (n < 0) throw failed(`take(): the count must not be negative, got ${n}`, site.offset);
    return items.slice(0, n);
  },
  sort(args, site) {
    arity(args, site, 1, 2);
    const items = arrayArg(args, 0, site);
    const order = args.length === 2 ? stringArg(args, 1, site) : 'asc';
    site.ctx.budget.spend(items.length, site.offset);
    return sortValues(items, items, order, site);
  },
  reverse(args, site) {
    arity(args, site, 1);
    return [...arrayArg(args, 0, site)].reverse();
  },
  concat(args, site) {
    arity(args, site, 1, Infinity);
    const out: unknown[] = [];
    args.forEach((_, i) => out.push(...arrayArg(args, i, site)));
    checkCollectionSize(out.length, site.offset);
    return out;
  },
  flatten(args, site) {
    arity(args, site, 1);
    const out: unknown[] = [];
    const visit = (value: unknown): void => {
      site.ctx.budget.spend(1, site.offset);
      if (Array.isArray(value)) value.forEach(visit);
      else out.push(value);
    };
    arrayArg(args, 0, site).forEach(visit);
    checkCollectionSize(out.length, site.offset);
    return out;
  },
  uniq(args, site) {
    arity(args, site, 1);
    const items = arrayArg(args, 0, site);
    site.ctx.budget.spend(items.length * items.length, site.offset);
    return items.filter((item, i) => items.findIndex((other) => probeEqual(other, item)) === i);
  },
  keys(args, site) {
    arity(args, site, 1);
    return mapKeys(mapArg(args, 0, site));
  },
  values(args, site) {
    arity(args, site, 1);
    const map = mapArg(args, 0, site);
    return mapKeys(map).map((key) => map[key]);
  },
  toPairs(args, site) {
    arity(args, site, 1);
    const map = mapArg(args, 0, site);
    return mapKeys(map).map((key) => [key, map[key]]);
  },
  fromPairs(args, site) {
    arity(args, site, 1);
    const out = newMap();
    arrayArg(args, 0, site).forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw failed(`fromPairs(): item ${i} is not a [key, value] pair`, site.offset);
      const [key, value] = pair as [unknown, unknown];
      if (typeof key !== 'string' && typeof key !== 'number')
        throw failed(`fromPairs(): the key of item ${i} is a ${typeName(key)}`, site.offset);
      setEntry(out, String(key), value);
    });
    return out;
  },
};
