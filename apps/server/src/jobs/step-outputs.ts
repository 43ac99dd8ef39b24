import type { StepFailure } from '@flotilla/protocol';

/**
 * Step outputs as the server stores them: JSON text in `run_steps.outputs`. `JSON.stringify`
 * recurses, and a value nested a few thousand levels deep (which JSON.parse and the frame schema
 * accept) overflows the stack: such an event could then never be stored, and would be replayed
 * forever. Outputs deeper than this are not stored; the step's error says so.
 */
export const MAX_OUTPUT_DEPTH = 64;

/** How deep a parsed JSON value is nested (iteratively: the value may be deeper than the stack). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The step's failure, saying that its outputs were left out when they were: with
 * `OUTPUTS_NOT_STORED` for a step that did not fail, after the message of one that did (why it
 * failed matters more).
 */
export function withDroppedOutputs(
  failure: StepFailure | undefined,
  dropped: string | undefined,
): StepFailure | undefined {
  if (dropped === undefined) return failure;
  if (failure === undefined) return { code: 'OUTPUTS_NOT_STORED', message: dropped, retryable: false };
  return { ...failure, message: `${failure.message}; ${dropped}` };
}

/** The JSON text to store for a step's outputs, or `null` with the reason they were left out. */
export function storableOutputs(outputs: Record<string, unknown> | undefined): {
  json: string | null;
  dropped?: string;
} {
  if (outputs === undefined) return { json: null };
  if (depthExceeds(outputs, MAX_OUTPUT_DEPTH))
    return { json: null, dropped: `outputs not stored: nested deeper than ${MAX_OUTPUT_DEPTH} levels` };
  // JSON text escapes U+0000 as `\u0000`: storable as it is (a `text` column, not `jsonb`).
  return { json: JSON.stringify(outputs) };
}
