import { isAlias, isMap, isPair, isScalar, isSeq, visit } from 'yaml';
import type { Document, YAMLMap } from 'yaml';

/**
 * YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`, YAML 1.1 semantics): the parser applies them
 * when it builds the value (`merge: true`); these helpers let the source map follow them, so a
 * problem in merged content points at the line where that content is written.
 */

/** A plain `<<` key (the parser resolves it to a symbol; a quoted `"<<"` is an ordinary key). */
export function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';
}

/**
 * The mappings a merge value brings in, in order of precedence (earlier wins, as in YAML 1.1);
 * `undefined` when the value is not a mapping or a list of mappings.
 */
export function mergeSources(doc: Document, value: unknown): YAMLMap[] | undefined {
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const source = resolve(value);
  const items = isSeq(source) ? source.items.map(resolve) : [source];
  return items.every((item) => isMap(item)) ? items : undefined;
}

/** Offsets of merge values that are not mappings (or lists of them): the parser would refuse them without a position. */
export function badMergeSources(doc: Document): number[] {
  const offsets: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isMergeKey(pair.key) || mergeSources(doc, pair.value) !== undefined) return;
      const node = pair.value ?? pair.key;
      const range = (node as { range?: readonly number[] | null } | null)?.range;
      offsets.push(range?.[0] ?? 0);
    },
  });
  return offsets;
}
