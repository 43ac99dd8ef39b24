/**
 * Step ids, inputs and variables are often kebab-case (`check-health`). In CEL `a.check-health`
 * means `a.check - health`, which is never what a workflow author wants, so — like GitHub
 * Actions — a `-` between letters right after a `.` is read as part of the name:
 * `steps.check-health.outputs` becomes `steps["check-health"].outputs` before parsing.
 * Subtraction with spaces (`a - b`) is unaffected.
 */
export interface RewrittenSource {
  readonly text: string;
  /** Maps an offset in `text` back to the offset in the original source. */
  readonly toOriginal: (offset: number) => number;
}

interface Edit {
  /** Offset in the rewritten text where the replacement starts. */
  at: number;
  /** Length difference (rewritten − original). */
  delta: number;
  /** Length of the replacement in the rewritten text. */
  length: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

function followsNumber(source: string, dot: number): boolean {
  let k = dot - 1;
  while (k >= 0 && IDENT_PART.test(source.charAt(k))) k--;
  return /[0-9]/.test(source.charAt(k + 1));
}

/** Rewrites hyphenated member names into index form; returns the source unchanged when none. */
export function rewriteHyphenatedNames(source: string): RewrittenSource {
  if (!source.includes('-')) return { text: source, toOriginal: (offset) => offset };
  let out = '';
  const edits: Edit[] = [];
  let quote: string | undefined;
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (quote !== undefined) {
      out += ch;
      if (ch === '\\' && i + 1 < source.length) out += source.charAt(++i);
      else if (ch === quote) quote = undefined;
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      out += ch;
      i++;
      continue;
    }
    // a `.` after a digit belongs to a number literal (`1.5e-3`), not to a member access
    if (ch === '.' && IDENT_START.test(source.charAt(i + 1)) && !followsNumber(source, i)) {
      let j = i + 1;
      let hyphenated = false;
      for (;;) {
        while (j < source.length && IDENT_PART.test(source.charAt(j))) j++;
        if (source.charAt(j) === '-' && IDENT_START.test(source.charAt(j + 1))) {
          hyphenated = true;
          j++;
          continue;
        }
        break;
      }
      const name = source.slice(i + 1, j);
      if (hyphenated) {
        const replacement = `["${name}"]`;
        edits.push({ at: out.length, delta: replacement.length - (j - i), length: replacement.length });
        out += replacement;
      } else {
        out += source.slice(i, j);
      }
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  if (edits.length === 0) return { text: source, toOriginal: (offset) => offset };
  return {
    text: out,
    toOriginal: (offset) => {
      let shift = 0;
      for (const edit of edits) {
        if (offset < edit.at) break;
        // inside a replacement: point at its start (the `.` of the original name)
        if (offset < edit.at + edit.length) return edit.at - shift;
        shift += edit.delta;
      }
      return offset - shift;
    },
  };
}
