/**
 * Bounds on one probe expression, so that a document cannot make the runner (or the studio, which
 * validates in the browser) spin or allocate without end. Probe's own bounds are a 1,000,000
 * character cap on expressions, strings and `random_str`, and a 5 s timeout (`expr/expr.go`); a
 * step budget replaces the timeout because evaluation here is synchronous, and expressions are
 * capped lower: parsing costs about 0.4 µs per character (bench/probe-expression).
 */
export const PROBE_EXPRESSION_LIMITS = {
  /** Characters in one expression (probe: 1,000,000; real ones are a line or a few). */
  sourceLength: 100_000,
  /** Characters in one string that holds templates. */
  templateTextLength: 1_000_000,
  /** Evaluation steps (nodes visited, predicate iterations, items copied) per evaluation. */
  steps: 1_000_000,
  /** Characters in any string an expression makes (`+`, `repeat`, `random_str`, `join`, templates). */
  stringLength: 1_000_000,
  /** Items in any array or map an expression makes (`..`, `map`, `split`, `parse_json`). */
  collectionSize: 100_000,
  /** Characters of a `matches` / `match_json` pattern. */
  patternLength: 10_000,
  /** How deep `template()` calls may nest (probe: 10). */
  templateDepth: 10,
  /** How deeply brackets (`( [ {`) may nest. */
  bracketDepth: 64,
  /** How deeply the expression's tree may nest (brackets, chains of operators). */
  nestingDepth: 500,
} as const;
