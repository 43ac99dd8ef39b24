import type { ProbeFunction } from './call-site.js';
import { COLLECTION_FUNCTIONS } from './collection-functions.js';
import { CONVERSION_FUNCTIONS } from './conversion-functions.js';
import { NUMBER_FUNCTIONS } from './number-functions.js';
import { PROBE_FUNCTIONS } from './probe-functions.js';
import { STRING_FUNCTIONS } from './string-functions.js';

/** Every function an expression may call, by name (predicate functions are in PREDICATE_FUNCTIONS). */
export const FUNCTIONS: ReadonlyMap<string, ProbeFunction> = new Map(
  Object.entries({
    ...STRING_FUNCTIONS,
    ...NUMBER_FUNCTIONS,
    ...COLLECTION_FUNCTIONS,
    ...CONVERSION_FUNCTIONS,
    ...PROBE_FUNCTIONS,
  }),
);

/** How a predicate function's arguments are read: a value, or a predicate evaluated per item. */
export type PredicateArgument = 'value' | 'predicate' | 'optional predicate' | 'optional value';

/** expr-lang's predicate builtins and their arguments (parser/parser.go, `predicates`). */
export const PREDICATE_FUNCTIONS: ReadonlyMap<string, readonly PredicateArgument[]> = new Map<
  string,
  readonly PredicateArgument[]
>([
  ['all', ['value', 'predicate']],
  ['none', ['value', 'predicate']],
  ['any', ['value', 'predicate']],
  ['one', ['value', 'predicate']],
  ['filter', ['value', 'predicate']],
  ['map', ['value', 'predicate']],
  ['count', ['value', 'optional predicate']],
  ['sum', ['value', 'optional predicate']],
  ['find', ['value', 'predicate']],
  ['findIndex', ['value', 'predicate']],
  ['findLast', ['value', 'predicate']],
  ['findLastIndex', ['value', 'predicate']],
  ['groupBy', ['value', 'predicate']],
  ['sortBy', ['value', 'predicate', 'optional value']],
  ['reduce', ['value', 'predicate', 'optional value']],
]);

/** The operator words that may also be called as functions: `contains(s, "x")`. */
export const OPERATOR_FUNCTIONS: ReadonlySet<string> = new Set(['contains', 'startsWith', 'endsWith', 'matches']);

/** expr-lang builtins this runner does not offer, with the reason given when one is called. */
export const UNSUPPORTED_FUNCTIONS: ReadonlyMap<string, string> = new Map([
  ['now', 'Go time values are not supported; use unixtime()'],
  ['date', 'Go time values are not supported; use unixtime()'],
  ['duration', 'Go time values are not supported; use numbers of seconds'],
  ['timezone', 'Go time values are not supported'],
  ['file', "probe's file() reads the host's files, which expressions here never do"],
]);
