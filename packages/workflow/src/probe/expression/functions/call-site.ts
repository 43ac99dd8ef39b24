import type { EvaluationContext } from '../context.js';
import { failed } from '../errors.js';
import { isInteger, isMap, typeName } from '../values.js';
import type { ProbeMap } from '../values.js';

/** Where a function is called from, and what it may use. */
export interface CallSite {
  readonly name: string;
  /** Offset of the call in the expression source. */
  readonly offset: number;
  readonly ctx: EvaluationContext;
}

/** A function an expression may call by name; nothing else is callable. */
export type ProbeFunction = (args: readonly unknown[], site: CallSite) => unknown;

/** Refuses a call with fewer than `min` or more than `max` arguments. */
export function arity(args: readonly unknown[], site: CallSite, min: number, max = min): void {
  if (args.length >= min && args.length <= max) return;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  throw failed(
    `${site.name}() takes ${expected} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`,
    site.offset,
  );
}

function argumentError(site: CallSite, index: number, expected: string, value: unknown): Error {
  return failed(`${site.name}(): argument ${index + 1} must be ${expected}, got ${typeName(value)}`, site.offset);
}

export function stringArg(args: readonly unknown[], index: number, site: CallSite): string {
  const value = args[index];
  if (typeof value !== 'string') throw argumentError(site, index, 'a string', value);
  return value;
}

export function numberArg(args: readonly unknown[], index: number, site: CallSite): number {
  const value = args[index];
  if (typeof value !== 'number') throw argumentError(site, index, 'a number', value);
  return value;
}

/** An int; a float is truncated, as expr's `runtime.ToInt` does. */
export function intArg(args: readonly unknown[], index: number, site: CallSite): number {
  const value = numberArg(args, index, site);
  return isInteger(value) ? value : Math.trunc(value);
}

export function arrayArg(args: readonly unknown[], index: number, site: CallSite): readonly unknown[] {
  const value = args[index];
  if (!Array.isArray(value)) throw argumentError(site, index, 'an array', value);
  return value;
}

export function mapArg(args: readonly unknown[], index: number, site: CallSite): ProbeMap {
  const value = args[index];
  if (!isMap(value)) throw argumentError(site, index, 'a map', value);
  return value;
}
