import { z } from 'zod';
import { BAD_DURATION } from './schema.js';
import { didYouMean } from './suggest.js';

/** A schema issue, reduced to what a person needs: what kind, where, and a sentence. */
export interface DescribedIssue {
  kind: 'unknown-field' | 'missing-field' | 'wrong-type' | 'bad-value' | 'bad-duration';
  /** Relative to the parsed value. */
  path: (string | number)[];
  message: string;
  /** The key, not the value, is at fault (unknown fields, bad names). */
  atKey: boolean;
}

/** The object keys a schema accepts at `path`, for "did you mean" on unknown fields. */
export function objectKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  const keys = new Set<string>();
  const visit = (current: z.ZodType, rest: readonly (string | number)[], depth: number): void => {
    if (depth > 20) return;
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
      visit(current.unwrap() as z.ZodType, rest, depth + 1);
    } else if (current instanceof z.ZodPipe) {
      visit(current.in as z.ZodType, rest, depth + 1);
    } else if (current instanceof z.ZodLazy) {
      visit(current.unwrap() as z.ZodType, rest, depth + 1);
    } else if (current instanceof z.ZodUnion) {
      for (const option of current.options) visit(option as z.ZodType, rest, depth + 1);
    } else if (current instanceof z.ZodObject) {
      const [head, ...tail] = rest;
      if (head === undefined) for (const key of Object.keys(current.shape)) keys.add(key);
      else {
        const field = (current.shape as Record<string, z.ZodType | undefined>)[String(head)];
        if (field !== undefined) visit(field, tail, depth + 1);
      }
    } else if (current instanceof z.ZodArray && rest.length > 0) {
      visit(current.element as z.ZodType, rest.slice(1), depth + 1);
    } else if (current instanceof z.ZodRecord && rest.length > 0) {
      visit(current.valueType as z.ZodType, rest.slice(1), depth + 1);
    }
  };
  visit(schema, path, 0);
  return [...keys];
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  record: 'a mapping',
};

function label(path: readonly (string | number)[]): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the document';
  if (typeof last === 'number') return `item ${last + 1} of "${String(path[path.length - 2] ?? '')}"`;
  return `"${last}"`;
}

function toPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

/** Turns Zod issues into described issues, looking up the offending values in `root`. */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  root: unknown,
  schema: z.ZodType,
): DescribedIssue[] {
  const out: DescribedIssue[] = [];
  for (const issue of issues) {
    const path = toPath(issue.path);
    const value = valueAt(root, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = objectKeysAt(schema, path);
        for (const key of issue.keys) {
          out.push({
            kind: 'unknown-field',
            path: [...path, key],
            message: `unknown field "${key}"${didYouMean(key, allowed)}`,
            atKey: true,
          });
        }
        break;
      }
      case 'invalid_type':
        if (value === undefined) {
          out.push({ kind: 'missing-field', path, message: `missing required field ${label(path)}`, atKey: false });
        } else {
          const expected = EXPECTED[issue.expected] ?? issue.expected;
          out.push({
            kind: 'wrong-type',
            path,
            message: `${label(path)} must be ${expected}, not ${kindOf(value)}`,
            atKey: false,
          });
        }
        break;
      case 'invalid_value': {
        const values = issue.values.map(String);
        const hint = typeof value === 'string' ? didYouMean(value, values) : '';
        out.push({
          kind: 'bad-value',
          path,
          message: `${label(path)} must be one of ${values.join(', ')}${hint}`,
          atKey: false,
        });
        break;
      }
      case 'invalid_key': {
        const inner = issue.issues[0]?.message ?? issue.message;
        out.push({ kind: 'bad-value', path, message: `bad name ${label(path)}: ${inner}`, atKey: true });
        break;
      }
      case 'invalid_union':
        if (value === undefined) {
          out.push({ kind: 'missing-field', path, message: `missing required field ${label(path)}`, atKey: false });
        } else {
          const message = issue.message.startsWith('Invalid input') ? 'has the wrong type' : issue.message;
          out.push({ kind: 'wrong-type', path, message: `${label(path)} ${message}`, atKey: false });
        }
        break;
      case 'custom': {
        const params = issue.params as { code?: unknown } | undefined;
        const kind = params?.code === BAD_DURATION ? 'bad-duration' : 'bad-value';
        out.push({ kind, path, message: `${label(path)}: ${issue.message}`, atKey: false });
        break;
      }
      case 'invalid_element':
      case 'too_big':
      case 'too_small':
      case 'invalid_format':
      case 'not_multiple_of':
        out.push({ kind: 'bad-value', path, message: `${label(path)}: ${issue.message}`, atKey: false });
        break;
    }
  }
  return out;
}
