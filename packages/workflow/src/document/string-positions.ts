import type { SourceLocation } from '../model.js';
import type { DocumentPath, SourceMap } from './source-map.js';

/**
 * Locates a piece of a string value in the source: `(start, end)` is a span of the parsed value,
 * `inner` an optional offset inside that span (e.g. the column of a syntax error).
 */
export type StringLocator = (start: number, end: number, inner?: number) => SourceLocation;

/** Offset of the `n`-th (0-based) occurrence of `needle` in `haystack`, or -1. */
function nthIndexOf(haystack: string, needle: string, n: number): number {
  let at = haystack.indexOf(needle);
  for (let i = 0; i < n && at !== -1; i++) at = haystack.indexOf(needle, at + 1);
  return at;
}

/**
 * Maps spans of a string value back to the text. Quoting and escapes make the parsed value
 * differ from the raw text, so the span is found by searching the raw scalar for the same text
 * (the n-th occurrence for the n-th identical span). When it cannot be found — an escape inside
 * the span — the problem points at the start of the scalar instead.
 */
export function locateInString(source: SourceMap, path: DocumentPath, value: string): StringLocator {
  const raw = source.rawScalar(path);
  return (start, end, inner = 0) => {
    if (raw === undefined) return source.locate(path);
    const piece = value.slice(start, end);
    let before = 0;
    for (let at = value.indexOf(piece); at !== -1 && at < start; at = value.indexOf(piece, at + 1)) before++;
    const found = piece === '' ? -1 : nthIndexOf(raw.text, piece, before);
    if (found === -1) return source.position(raw.offset);
    return source.position(raw.offset + found + Math.max(0, Math.min(inner, piece.length)));
  };
}
