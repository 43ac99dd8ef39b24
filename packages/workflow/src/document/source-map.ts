import { Composer, Lexer, LineCounter, Parser, YAMLParseError, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { CST, Document, Node as YamlNode } from 'yaml';
import type { SourceLocation } from '../model.js';
import { describeDuplicateKey, findDuplicateKeys } from './duplicate-keys.js';
import { badMergeSources, isMergeKey, mergeSources } from './merge-keys.js';

/** A path into the document: object keys and array indexes (`['tasks', 2, 'config', 'url']`). */
export type DocumentPath = readonly (string | number)[];

/** A parse error of the text itself, before any schema check, a repeated key, or nesting over the limit. */
export interface SyntaxProblem {
  kind: 'syntax' | 'duplicate-key' | 'too-deep';
  location: SourceLocation;
  message: string;
}

/**
 * The parsed document as plain data plus a way back from any path to the YAML (or JSON) text,
 * so that every problem can name its line and column.
 */
export interface SourceMap {
  readonly value: unknown;
  readonly syntaxProblems: readonly SyntaxProblem[];
  /** Location of the value at `path`, or of its nearest existing ancestor. */
  locate(path: DocumentPath): SourceLocation;
  /** Location of the key of the last path segment (falls back to the value). */
  locateKey(path: DocumentPath): SourceLocation;
  /** The raw source text of a scalar at `path` and its offset (for positions inside strings). */
  rawScalar(path: DocumentPath): { text: string; offset: number } | undefined;
  /** Line and column of an absolute offset in the text. */
  position(offset: number): SourceLocation;
}

const START: SourceLocation = { line: 1, column: 1 };

function child(
  doc: Document,
  node: unknown,
  segment: string | number,
  depth = 0,
): { key?: YamlNode | undefined; value: unknown } | undefined {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(resolved)) {
    const merges: unknown[] = [];
    for (const pair of resolved.items) {
      if (!isPair(pair)) continue;
      const key: unknown = pair.key;
      if (isMergeKey(key)) {
        merges.push(pair.value);
        continue;
      }
      const keyValue: unknown = isScalar(key) ? key.value : key;
      if (String(keyValue) === String(segment)) return { key: isScalar(key) ? key : undefined, value: pair.value };
    }
    // not written here: follow the merge keys, the first source that has it wins (YAML 1.1);
    // the depth bound stops a merge that (through aliases) contains itself
    if (depth > 64) return undefined;
    for (const merge of merges) {
      for (const source of mergeSources(doc, merge) ?? []) {
        const found = child(doc, source, segment, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
  if (isSeq(resolved) && typeof segment === 'number') {
    const item: unknown = resolved.items[segment];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}

/**
 * `yaml`'s `parseDocument`, with the lexer and parser driven here so that parsing stops at the
 * first token nested deeper than `maxDepth`: the parser costs about 3 µs of CPU per token at any
 * depth (600 KB of `[` took 2–8 s) and the composer recurses per level (it overflowed the stack),
 * so only stopping early bounds what a deep document costs.
 * `Parser.stack` holds the document, one entry per open collection and at most one scalar, so
 * it is up to two longer than the nesting depth; the exact depth is checked on the value.
 */
function parseBounded(
  text: string,
  lineCounter: LineCounter,
  options: { maxDepth: number; merge: boolean },
): { doc: Document.Parsed; tooDeepAt?: undefined } | { doc?: undefined; tooDeepAt: number } {
  const parser = new Parser(lineCounter.addNewLine);
  let tooDeepAt: number | undefined;
  function* tokens(): Generator<CST.Token, void> {
    lineCounter.addNewLine(0);
    let offset = 0;
    for (const lexeme of new Lexer().lex(text)) {
      yield* parser.next(lexeme);
      if (parser.stack.length - 2 > options.maxDepth) {
        tooDeepAt = offset;
        return;
      }
      offset += lexeme.length;
    }
    yield* parser.end();
  }
  let doc: Document.Parsed | undefined;
  const composer = new Composer({ uniqueKeys: true, merge: options.merge });
  for (const next of composer.compose(tokens(), true, text.length)) {
    if (doc === undefined) {
      doc = next;
    } else {
      // as parseDocument does: one document per text
      const message = 'Source contains multiple documents; please use YAML.parseAllDocuments()';
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', message));
      break;
    }
  }
  if (tooDeepAt !== undefined) return { tooDeepAt };
  // compose(…, forceDoc = true) always yields a document
  if (doc === undefined) throw new Error('the YAML composer produced no document');
  return { doc };
}

/**
 * Parses YAML or JSON text (JSON is read by the YAML parser too, so positions work the same).
 * YAML merge keys (`<<: *anchor`, `<<: [*a, *b]`) are applied everywhere, as YAML 1.1 defines
 * them; a key written twice in one mapping is a `duplicate-key` problem naming both places.
 * Nesting deeper than `maxDepth` is reported as one `too-deep` problem and nothing else.
 */
export function parseSource(text: string, format: 'yaml' | 'json' = 'yaml', maxDepth = Infinity): SourceMap {
  const lineCounter = new LineCounter();
  const position = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: pos.line, column: pos.col };
  };
  // in JSON, "<<" is an ordinary key
  const parsed = parseBounded(text, lineCounter, { maxDepth, merge: format === 'yaml' });
  if (parsed.doc === undefined) {
    const problem: SyntaxProblem = {
      kind: 'too-deep',
      location: position(parsed.tooDeepAt),
      message: `the document is nested more than ${maxDepth} levels deep`,
    };
    return {
      value: undefined,
      syntaxProblems: [problem],
      position,
      locate: () => problem.location,
      locateKey: () => problem.location,
      rawScalar: () => undefined,
    };
  }
  const doc = parsed.doc;
  const duplicates = doc.errors.some((err) => err.code === 'DUPLICATE_KEY') ? findDuplicateKeys(doc, position) : [];
  const syntaxProblems: SyntaxProblem[] = doc.errors
    .filter((err) => err.code !== 'DUPLICATE_KEY' || duplicates.length === 0)
    .map((err) => ({ kind: 'syntax', location: position(err.pos[0]), message: err.message }));
  for (const duplicate of duplicates) {
    syntaxProblems.push({
      kind: 'duplicate-key',
      location: duplicate.second,
      message: describeDuplicateKey(duplicate),
    });
  }
  if (syntaxProblems.length === 0) {
    for (const offset of badMergeSources(doc)) {
      syntaxProblems.push({
        kind: 'syntax',
        location: position(offset),
        message: 'a merge key (<<) takes a mapping, an alias of one (*name) or a list of them',
      });
    }
  }
  if (format === 'json' && syntaxProblems.length === 0) {
    // YAML accepts more than JSON (comments, trailing commas, unquoted keys): insist on JSON
    try {
      JSON.parse(text);
    } catch (err) {
      const match = /position (\d+)/.exec(err instanceof Error ? err.message : '');
      syntaxProblems.push({
        kind: 'syntax',
        location: match === null ? START : position(Number(match[1])),
        message: err instanceof Error ? err.message : 'invalid JSON',
      });
    }
  }
  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      // bounded: a few nested aliases can otherwise expand into billions of nodes
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      syntaxProblems.push({
        kind: 'syntax',
        location: START,
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** Walks as far along `path` as the document goes. */
  const walk = (path: DocumentPath): { node: unknown; key?: YamlNode | undefined; complete: boolean } => {
    let node: unknown = doc.contents;
    let key: YamlNode | undefined;
    for (const segment of path) {
      const next = child(doc, node, segment);
      if (next === undefined) return { node, key, complete: false };
      node = next.value;
      key = next.key;
    }
    return { node, key, complete: true };
  };

  const locateNode = (node: unknown): SourceLocation => {
    const offset = rangeStart(node);
    return offset === undefined ? START : position(offset);
  };

  return {
    value,
    syntaxProblems,
    position,
    locate(path) {
      const found = walk(path);
      // a pair with an empty value (`config:`) has no value node: point at its key
      if (found.complete && (found.node === null || found.node === undefined) && found.key !== undefined) {
        return locateNode(found.key);
      }
      return locateNode(found.node);
    },
    locateKey(path) {
      const found = walk(path);
      if (found.complete && found.key !== undefined) return locateNode(found.key);
      return locateNode(found.node);
    },
    rawScalar(path) {
      const found = walk(path);
      if (!found.complete || !isScalar(found.node) || found.node.range == null) return undefined;
      const [start, end] = found.node.range;
      return { text: text.slice(start, end), offset: start };
    },
  };
}
