import { isMap, isPair, isScalar, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../model.js';
import { isMergeKey } from './merge-keys.js';

/** A key written twice in one mapping. */
export interface DuplicateKey {
  key: string;
  first: SourceLocation;
  second: SourceLocation;
}

function start(node: unknown): number | undefined {
  return (node as { range?: readonly number[] | null } | null)?.range?.[0];
}

function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return typeof key.value === 'symbol' ? undefined : String(key.value);
}

/**
 * Every key repeated in a mapping, with the place of its first and its later occurrence. The
 * parser (`uniqueKeys`) reports only the second place; a person fixing the document needs both.
 * Merge keys may repeat (each brings in more keys), and a key that overrides a merged one is
 * not a duplicate: that is what merging is for.
 */
export function findDuplicateKeys(doc: Document, position: (offset: number) => SourceLocation): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const seen = new Map<string, YamlNode>();
      for (const pair of map.items) {
        if (!isPair(pair) || isMergeKey(pair.key)) continue;
        const text = keyText(pair.key);
        if (text === undefined) continue;
        const earlier = seen.get(text);
        if (earlier === undefined) {
          seen.set(text, pair.key as YamlNode);
          continue;
        }
        found.push({
          key: text,
          first: position(start(earlier) ?? 0),
          second: position(start(pair.key) ?? 0),
        });
      }
    },
  });
  return found;
}

/** `duplicate key "name" (first at line 3, column 5; again at line 7, column 5)`. */
export function describeDuplicateKey(duplicate: DuplicateKey): string {
  const { key, first, second } = duplicate;
  return (
    `duplicate key "${key}": written at line ${first.line}, column ${first.column} and again at line ` +
    `${second.line}, column ${second.column}; a key may appear once in a mapping (keep one of them)`
  );
}
