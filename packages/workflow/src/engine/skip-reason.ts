import type { StepNode } from '../model.js';
import type { SkipReason } from './engine-events.js';
import type { NodeOutcome } from './executor.js';
import type { AbortKind } from './step-failure.js';

/** Why steps did not start once the phase's signal was aborted. */
export function abortSkipReason(kind: AbortKind | undefined): SkipReason {
  switch (kind) {
    case 'deadline':
      return { code: 'RUN_TIMED_OUT' };
    case 'cancelled':
    case undefined:
      return { code: 'RUN_CANCELLED' };
    case 'timeout':
    case 'fatal':
      return { code: 'RUN_STOPPED' };
  }
}

/**
 * Why each step of a block that never started was skipped: after a fatal step, a step that
 * needs it (directly, or through other steps that never started) is `DEPENDENCY_FAILED`
 * naming that step; any other is `RUN_STOPPED` naming the step that stopped the block.
 */
export function notStartedReasons(block: {
  nodes: readonly StepNode[];
  outcomes: readonly (NodeOutcome | undefined)[];
  started: readonly boolean[];
  ignoreNeeds: boolean;
  /** Index of the fatal step that stopped the block. */
  stoppedBy: number | undefined;
  keyOf: (node: StepNode) => string;
  /** The phase's abort, when it was aborted: that is the reason for every step. */
  abort: { kind: AbortKind | undefined } | undefined;
}): Map<number, SkipReason> {
  const { nodes, outcomes, started, keyOf } = block;
  const indexOf = new Map(nodes.map((n, i) => [n.id, i]));
  const culprit = new Map<number, number | undefined>();
  // the first failed step reached through the `needs` of step i (steps that never started are crossed)
  const failedNeed = (i: number, visiting: Set<number>): number | undefined => {
    if (culprit.has(i)) return culprit.get(i);
    visiting.add(i);
    let found: number | undefined;
    for (const id of block.ignoreNeeds ? [] : (nodes[i]?.needs ?? [])) {
      const j = indexOf.get(id);
      if (j === undefined || visiting.has(j)) continue;
      if (outcomes[j]?.fatal === true) found = j;
      else if (started[j] !== true) found = failedNeed(j, visiting);
      if (found !== undefined) break;
    }
    visiting.delete(i);
    culprit.set(i, found);
    return found;
  };
  const reasons = new Map<number, SkipReason>();
  nodes.forEach((node, i) => {
    if (started[i] === true) return;
    if (block.abort !== undefined) {
      reasons.set(i, abortSkipReason(block.abort.kind));
      return;
    }
    const need = failedNeed(i, new Set());
    const needNode = need === undefined ? undefined : nodes[need];
    const stopper = block.stoppedBy === undefined ? undefined : nodes[block.stoppedBy];
    reasons.set(
      i,
      needNode !== undefined
        ? { code: 'DEPENDENCY_FAILED', step: keyOf(needNode) }
        : { code: 'RUN_STOPPED', step: stopper === undefined ? undefined : keyOf(stopper) },
    );
  });
  return reasons;
}
