import { RE2JS } from 're2js';
import { failed, overLimit } from './errors.js';
import { PROBE_EXPRESSION_LIMITS } from './limits.js';

// RE2 is what Go's regexp (and so probe's `matches` and `match_json`) implements: the same
// syntax, including inline flags like `(?i)`, and matching in linear time, so a pattern from a
// document cannot make evaluation backtrack without end.
const CACHE_LIMIT = 500;
const cache = new Map<string, RE2JS>();

function compilePattern(pattern: string, offset: number | undefined): RE2JS {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  if (pattern.length > PROBE_EXPRESSION_LIMITS.patternLength)
    throw overLimit(
      `a regular expression of ${pattern.length} characters is longer than ${PROBE_EXPRESSION_LIMITS.patternLength}`,
      offset,
    );
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    throw failed(
      `invalid regular expression ${JSON.stringify(pattern)}: ${err instanceof Error ? err.message : String(err)}`,
      offset,
    );
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** Whether `text` contains a match of the RE2 `pattern` (Go's `regexp.MatchString`). */
export function regexMatches(pattern: string, text: string, offset?: number): boolean {
  return compilePattern(pattern, offset).test(text);
}
