import { failed } from './errors.js';
import type { CallSite } from './functions/call-site.js';
import { sortValues } from './functions/collection-functions.js';
import { newMap, ownValue, setEntry, stringify, typeName } from './values.js';

/** Runs a predicate for one item; `acc` is `#acc` in reduce(). */
export type RunPredicate = (item: unknown, index: number, acc?: unknown) => unknown;

function truth(site: CallSite, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw failed(`${site.name}(): the predicate must give a bool, got ${typeName(value)}`, site.offset);
  return value;
}

function sumOf(site: CallSite, values: readonly unknown[]): number {
  return values.reduce<number>((total, value) => {
    if (typeof value !== 'number') throw failed(`${site.name}(): ${typeName(value)} is not a number`, site.offset);
    return total + value;
  }, 0);
}

/**
 * expr-lang's predicate builtins (docs/language-definition.md, "Array Functions"): `items` is the
 * array, `run` evaluates the predicate for an item, `extra` the arguments after the predicate.
 */
export function applyPredicateFunction(
  site: CallSite,
  items: readonly unknown[],
  run: RunPredicate | undefined,
  extra: readonly unknown[],
): unknown {
  const test = (item: unknown, i: number): boolean => truth(site, run === undefined ? item : run(item, i));
  const each = <T>(f: (item: unknown, i: number) => T): T[] => items.map((item, i) => f(item, i));
  switch (site.name) {
    case 'all':
      return items.every(test);
    case 'any':
      return items.some(test);
    case 'none':
      return !items.some(test);
    case 'one':
      return items.filter(test).length === 1;
    case 'filter':
      return items.filter(test);
    case 'count':
      return items.filter(test).length;
    case 'map':
      return each((item, i) => (run === undefined ? item : run(item, i)));
    case 'sum':
      return sumOf(site, run === undefined ? items : each((item, i) => run(item, i)));
    case 'find':
      return items.find(test) ?? null;
    case 'findIndex': {
      const index = items.findIndex(test);
      return index < 0 ? null : index;
    }
    case 'findLast':
      return items.findLast(test) ?? null;
    case 'findLastIndex': {
      const index = items.findLastIndex(test);
      return index < 0 ? null : index;
    }
    case 'groupBy': {
      const groups = newMap();
      items.forEach((item, i) => {
        const key = stringify(run === undefined ? item : run(item, i));
        const group = (ownValue(groups, key) as unknown[] | undefined) ?? [];
        group.push(item);
        setEntry(groups, key, group);
      });
      return groups;
    }
    case 'sortBy': {
      const order = extra[0] ?? 'asc';
      if (typeof order !== 'string') throw failed('sortBy(): the order must be "asc" or "desc"', site.offset);
      return sortValues(
        items,
        each((item, i) => (run === undefined ? item : run(item, i))),
        order,
        site,
      );
    }
    case 'reduce': {
      if (run === undefined) throw failed('reduce(): a predicate is required', site.offset);
      const hasInitial = extra.length > 0;
      if (!hasInitial && items.length === 0)
        throw failed('reduce(): an empty array needs an initial value', site.offset);
      let acc = hasInitial ? extra[0] : items[0];
      for (let i = hasInitial ? 0 : 1; i < items.length; i++) acc = run(items[i], i, acc);
      return acc;
    }
    default:
      throw failed(`unknown function ${site.name}()`, site.offset);
  }
}
