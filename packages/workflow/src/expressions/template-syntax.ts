/**
 * The two kinds of placeholders a workflow string may hold, found by one scanner that both
 * validation and run time use, so they always agree on what is a placeholder:
 * - `{{.NAME}}` — a plain lookup in inputs, then variables, then secrets;
 * - `${{ expr }}` — a CEL expression.
 */
export type TemplateSegment =
  | { kind: 'text'; text: string }
  | { kind: 'name'; name: string; start: number; end: number }
  | {
      kind: 'expression';
      /** The expression source between `${{` and `}}`, trimmed. */
      source: string;
      /** Offset of the `$` of `${{` in the scanned string. */
      start: number;
      /** Offset just past the closing `}}`. */
      end: number;
      /** Offset of `source` in the scanned string. */
      sourceStart: number;
    }
  | { kind: 'unterminated'; start: number };

const NAME_RE = /^\{\{\s*\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/;

/** Fast check so plain strings skip the scanner (the common case at run time). */
export function hasTemplates(text: string): boolean {
  return text.includes('{{');
}

/** Index of the `}}` that closes an expression starting at `from`, skipping string literals. */
function findExpressionEnd(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      if (depth === 0 && text[i + 1] === '}') return i;
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

/** Splits a string into text, `{{.NAME}}` and `${{ expr }}` segments. */
export function scanTemplate(text: string): TemplateSegment[] {
  const segments: TemplateSegment[] = [];
  let textStart = 0;
  let i = 0;
  const flushText = (upTo: number): void => {
    if (upTo > textStart) segments.push({ kind: 'text', text: text.slice(textStart, upTo) });
  };
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open === -1) break;
    if (open > 0 && text[open - 1] === '$') {
      const start = open - 1;
      const close = findExpressionEnd(text, open + 2);
      flushText(start);
      if (close === -1) {
        segments.push({ kind: 'unterminated', start });
        textStart = text.length;
        break;
      }
      const raw = text.slice(open + 2, close);
      const leading = raw.length - raw.trimStart().length;
      segments.push({
        kind: 'expression',
        source: raw.trim(),
        start,
        end: close + 2,
        sourceStart: open + 2 + leading,
      });
      i = textStart = close + 2;
      continue;
    }
    const match = NAME_RE.exec(text.slice(open));
    if (match !== null) {
      flushText(open);
      const end = open + match[0].length;
      segments.push({ kind: 'name', name: match[1] ?? '', start: open, end });
      i = textStart = end;
      continue;
    }
    // Any other `{{ … }}` is left as literal text (it may belong to the payload, e.g. a Go
    // template sent to a remote tool).
    i = open + 2;
  }
  flushText(text.length);
  return segments;
}

/** True when the string holds a `{{.NAME}}` or `${{ }}` placeholder (resolved at run time). */
export function hasPlaceholders(text: string): boolean {
  return hasTemplates(text) && scanTemplate(text).some((segment) => segment.kind !== 'text');
}

/**
 * When the whole string is exactly one `${{ }}` (surrounding blanks allowed), returns that
 * expression: its value keeps its type instead of being stringified.
 */
export function wholeExpression(segments: readonly TemplateSegment[]): string | undefined {
  const meaningful = segments.filter((s) => !(s.kind === 'text' && s.text.trim() === ''));
  const only = meaningful.length === 1 ? meaningful[0] : undefined;
  return only?.kind === 'expression' ? only.source : undefined;
}
