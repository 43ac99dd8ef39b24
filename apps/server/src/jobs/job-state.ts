import { TERMINAL_STATES } from '@flotilla/protocol';
import type { RunState } from '@flotilla/protocol';

/**
 * The state of a job from the states of its runs (SPEC §6). One run: its state. Several: running
 * while any run is under way, queued while all open runs wait, and once all are terminal:
 * succeeded only if all succeeded, cancelled/expired if all were, otherwise failed.
 */
export function aggregateJobState(states: readonly RunState[]): RunState {
  const [first] = states;
  if (first === undefined) return 'queued';
  if (states.length === 1) return first;
  const open = states.filter((s) => !TERMINAL_STATES.has(s));
  if (open.length > 0) return open.every((s) => s === 'queued') ? 'queued' : 'running';
  for (const uniform of ['succeeded', 'cancelled', 'expired'] as const) {
    if (states.every((s) => s === uniform)) return uniform;
  }
  return 'failed';
}

/** Run states from which a run may still move forward. */
export const OPEN_RUN_STATES = ['queued', 'dispatched', 'running', 'unknown'] as const satisfies readonly RunState[];
