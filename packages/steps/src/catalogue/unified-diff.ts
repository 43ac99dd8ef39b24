import { parsePatch } from 'diff';
import type { StructuredPatch } from 'diff';

/**
 * The `diff` of a `patch` config: a unified diff of exactly one file with at least one hunk.
 * Returns the parsed patch, or why the text is not such a diff. The config schema checks with
 * this, and the step applies what it returns, so validation and run time agree.
 */
export function parseSingleFileDiff(diff: string): StructuredPatch | string {
  let patches: StructuredPatch[];
  try {
    patches = parsePatch(diff);
  } catch (err) {
    return `the diff is not a valid unified diff: ${err instanceof Error ? err.message : String(err)}`;
  }
  const [patch, ...others] = patches;
  if (patch === undefined || others.length > 0 || patch.hunks.length === 0) {
    return `the diff must change exactly one file with at least one hunk (found ${patches.length} files)`;
  }
  return patch;
}
