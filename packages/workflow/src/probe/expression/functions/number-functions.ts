import { failed } from '../errors.js';
import { typeName } from '../values.js';
import { arity, intArg, numberArg } from './call-site.js';
import type { CallSite, ProbeFunction } from './call-site.js';

// expr-lang's number and bitwise builtins (docs/language-definition.md, "Number Functions",
// "Bitwise Functions"). Bitwise functions work on 64-bit integers, as Go's int does.

/** The numbers of `max(1, 2)`, `max([1, 2])` and mixes of both. */
function numbersOf(args: readonly unknown[], site: CallSite): number[] {
  const out: number[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'number') out.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else throw failed(`${site.name}(): ${typeName(value)} is not a number`, site.offset);
  };
  args.forEach(visit);
  return out;
}

function bigArg(args: readonly unknown[], index: number, site: CallSite): bigint {
  return BigInt(intArg(args, index, site));
}

/** A 64-bit result back as a number; refused when a double cannot hold it exactly. */
function fromInt64(value: bigint, site: CallSite): number {
  const result = BigInt.asIntN(64, value);
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER))
    throw failed(
      `${site.name}(): the result ${result} is beyond the integers this runner can hold exactly`,
      site.offset,
    );
  return Number(result);
}

function bitwise(apply: (a: bigint, b: bigint) => bigint): ProbeFunction {
  return (args, site) => {
    arity(args, site, 2);
    return fromInt64(apply(bigArg(args, 0, site), bigArg(args, 1, site)), site);
  };
}

function shiftCount(b: bigint, site: CallSite): bigint {
  if (b < 0n) throw failed(`${site.name}(): negative shift count ${b}`, site.offset);
  return b > 64n ? 64n : b;
}

export const NUMBER_FUNCTIONS: Readonly<Record<string, ProbeFunction>> = {
  max(args, site) {
    arity(args, site, 1, Infinity);
    const values = numbersOf(args, site);
    if (values.length === 0) throw failed('max(): no values', site.offset);
    return Math.max(...values);
  },
  min(args, site) {
    arity(args, site, 1, Infinity);
    const values = numbersOf(args, site);
    if (values.length === 0) throw failed('min(): no values', site.offset);
    return Math.min(...values);
  },
  mean(args, site) {
    arity(args, site, 1, Infinity);
    const values = numbersOf(args, site);
    return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
  },
  median(args, site) {
    arity(args, site, 1, Infinity);
    const values = numbersOf(args, site).sort((a, b) => a - b);
    const n = values.length;
    if (n === 0) return 0;
    return n % 2 === 1 ? values[(n - 1) / 2] : ((values[n / 2 - 1] ?? 0) + (values[n / 2] ?? 0)) / 2;
  },
  abs(args, site) {
    arity(args, site, 1);
    return Math.abs(numberArg(args, 0, site));
  },
  ceil(args, site) {
    arity(args, site, 1);
    return Math.ceil(numberArg(args, 0, site));
  },
  floor(args, site) {
    arity(args, site, 1);
    return Math.floor(numberArg(args, 0, site));
  },
  round(args, site) {
    arity(args, site, 1);
    // Go's math.Round rounds half away from zero; Math.round rounds half up.
    const value = numberArg(args, 0, site);
    return Math.sign(value) * Math.round(Math.abs(value));
  },
  bitand: bitwise((a, b) => a & b),
  bitor: bitwise((a, b) => a | b),
  bitxor: bitwise((a, b) => a ^ b),
  bitnand: bitwise((a, b) => a & ~b),
  bitshl: (args, site) => {
    arity(args, site, 2);
    return fromInt64(bigArg(args, 0, site) << shiftCount(bigArg(args, 1, site), site), site);
  },
  bitshr: (args, site) => {
    arity(args, site, 2);
    return fromInt64(bigArg(args, 0, site) >> shiftCount(bigArg(args, 1, site), site), site);
  },
  bitushr: (args, site) => {
    arity(args, site, 2);
    return fromInt64(BigInt.asUintN(64, bigArg(args, 0, site)) >> shiftCount(bigArg(args, 1, site), site), site);
  },
  bitnot(args, site) {
    arity(args, site, 1);
    return fromInt64(~bigArg(args, 0, site), site);
  },
};
