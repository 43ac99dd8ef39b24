import type { BinaryOp } from './ast.js';
import { checkCollectionSize, checkStringLength } from './context.js';
import { failed } from './errors.js';
import { regexMatches } from './regex.js';
import { hasOwnKey, isInteger, isMap, isNil, probeEqual, typeName } from './values.js';

// expr-lang's operators on JSON-like values (vm/runtime: Equal, Less, Add, In, …): no implicit
// conversion between strings and numbers; a mismatch is an error, not false.

function mismatch(op: string, left: unknown, right: unknown): Error {
  return failed(`invalid operation: ${typeName(left)} ${op} ${typeName(right)}`);
}

function numbers(op: string, left: unknown, right: unknown): [number, number] {
  if (typeof left !== 'number' || typeof right !== 'number') throw mismatch(op, left, right);
  return [left, right];
}

function strings(op: string, left: unknown, right: unknown): [string, string] {
  if (typeof left !== 'string' || typeof right !== 'string') throw mismatch(op, left, right);
  return [left, right];
}

function compare(op: string, left: unknown, right: unknown): number {
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  throw mismatch(op, left, right);
}

function membership(needle: unknown, haystack: unknown): boolean {
  if (isNil(haystack)) return false;
  if (Array.isArray(haystack)) return haystack.some((item) => probeEqual(item, needle));
  if (isMap(haystack)) {
    if (typeof needle !== 'string') throw failed(`cannot look up a ${typeName(needle)} key in a map with in`);
    return hasOwnKey(haystack, needle);
  }
  throw failed(`operator in is not defined on ${typeName(haystack)}`);
}

function range(from: unknown, to: unknown): number[] {
  if (!isInteger(from) || !isInteger(to)) throw mismatch('..', from, to);
  const size = to - from + 1;
  if (size <= 0) return [];
  checkCollectionSize(size);
  return Array.from({ length: size }, (_, i) => from + i);
}

/** Applies a binary operator whose operands are both evaluated (not &&, || or ??). */
export function applyBinary(op: Exclude<BinaryOp, '&&' | '||' | '??'>, left: unknown, right: unknown): unknown {
  switch (op) {
    case '==':
      return probeEqual(left, right);
    case '!=':
      return !probeEqual(left, right);
    case '<':
      return compare(op, left, right) < 0;
    case '>':
      return compare(op, left, right) > 0;
    case '<=':
      return compare(op, left, right) <= 0;
    case '>=':
      return compare(op, left, right) >= 0;
    case 'in':
      return membership(left, right);
    case 'contains': {
      const [text, part] = strings(op, left, right);
      return text.includes(part);
    }
    case 'startsWith': {
      const [text, part] = strings(op, left, right);
      return text.startsWith(part);
    }
    case 'endsWith': {
      const [text, part] = strings(op, left, right);
      return text.endsWith(part);
    }
    case 'matches': {
      const [text, pattern] = strings(op, left, right);
      return regexMatches(pattern, text);
    }
    case '..':
      return range(left, right);
    case '+':
      if (typeof left === 'string' && typeof right === 'string') {
        checkStringLength(left.length + right.length);
        return left + right;
      }
      return numbers(op, left, right).reduce((a, b) => a + b);
    case '-': {
      const [a, b] = numbers(op, left, right);
      return a - b;
    }
    case '*': {
      const [a, b] = numbers(op, left, right);
      return a * b;
    }
    case '/': {
      const [a, b] = numbers(op, left, right);
      return a / b;
    }
    case '%': {
      const [a, b] = numbers(op, left, right);
      if (!Number.isInteger(a) || !Number.isInteger(b)) throw mismatch(op, left, right);
      if (b === 0) throw failed('integer divide by zero');
      return a % b;
    }
    case '**': {
      const [a, b] = numbers(op, left, right);
      return a ** b;
    }
  }
}

/** The operand of `&&`, `||`, `!` and `?:` must be a bool, as in expr's VM. */
export function expectBool(op: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw failed(`${op} needs a bool, got ${typeName(value)}`);
  return value;
}
