import { ProbeExpressionError } from './errors.js';

/** One `{{ expr }}` in a string. */
export interface ProbeTemplatePart {
  /** The expression between the braces, without surrounding whitespace. */
  readonly source: string;
  /** Where `source` starts in the string: an expression error at `e.offset` is at `offset + e.offset`. */
  readonly offset: number;
  /** `source.length`. */
  readonly length: number;
  /** The whole `{{ … }}`, braces included. */
  readonly template: { readonly offset: number; readonly length: number };
}

/** Index of the quote that closes the string literal opening at `i`, or -1. */
function closeQuote(text: string, i: number): number {
  const quote = text.charAt(i);
  for (let j = i + 1; j < text.length; j++) {
    const ch = text.charAt(j);
    if (ch === '\\' && quote !== '`') j++;
    else if (ch === quote) return j;
  }
  return -1;
}

/**
 * Index of the `}}` that closes a template whose expression starts at `from`, or -1. As probe reads
 * templates (expr/template.go): braces of map literals nest, string literals and `/* *\/` comments
 * are skipped whole, and a `//` comment runs to the end of the line or to the `}}`.
 */
function closeTemplate(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = closeQuote(text, i);
      if (end < 0) return -1;
      i = end;
    } else if (ch === '/' && text.charAt(i + 1) === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (ch === '/' && text.charAt(i + 1) === '/') {
      let j = i + 2;
      while (j < text.length && text.charAt(j) !== '\n' && !text.startsWith('}}', j)) j++;
      i = j - 1;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}') {
      if (depth > 0) depth--;
      else if (text.charAt(i + 1) === '}') return i;
    }
  }
  return -1;
}

/**
 * The `{{ expr }}` parts of a string, in order. `{{{x}}}` is a literal `{` and the template
 * `{{x}}`, as in probe; a stray `}}` is text. A `{{` that is never closed is EXPRESSION_SYNTAX at
 * its offset (probe leaves it as text, which hides the mistake).
 */
export function probeTemplateParts(text: string): ProbeTemplatePart[] {
  const parts: ProbeTemplatePart[] = [];
  let i = 0;
  for (;;) {
    let start = text.indexOf('{{', i);
    if (start < 0) return parts;
    while (text.charAt(start + 2) === '{') start++;
    const close = closeTemplate(text, start + 2);
    if (close < 0) throw new ProbeExpressionError('EXPRESSION_SYNTAX', 'this {{ is never closed with }}', start);
    const inner = text.slice(start + 2, close);
    const lead = inner.length - inner.trimStart().length;
    const source = inner.trim();
    parts.push({
      source,
      offset: start + 2 + lead,
      length: source.length,
      template: { offset: start, length: close + 2 - start },
    });
    i = close + 2;
  }
}
