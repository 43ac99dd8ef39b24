import { TERMINAL_STATES } from '@flotilla/protocol';
import type { RunState } from '@flotilla/protocol';

/**
 * When every run is over but not all succeeded, the job takes the first of these states that any
 * of its runs has: a failure outranks a timeout, which outranks a crash, then cancel, then expiry.
 */
export const JOB_STATE_PRECEDENCE = [
  'failed',
  'timed_out',
  'interrupted',
  'cancelled',
  'expired',
] as const satisfies readonly RunState[];

/**
 * The state of a job from its runs counted per state (`countStates`; SPEC §6). One run: its
 * state. Several: `queued` while every run is queued, `running` while any run is not final; once
 * all are final, `succeeded` if all succeeded, else the first state of `JOB_STATE_PRECEDENCE`
 * present.
 */
export function aggregateJobState(counts: Partial<Record<RunState, number>>): RunState {
  const entries = Object.entries(counts) as [RunState, number][];
  const present = entries.filter(([, n]) => n > 0).map(([state]) => state);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const [first] = present;
  if (first === undefined) return 'queued';
  if (total === 1) return first;
  if (present.every((s) => s === 'queued')) return 'queued';
  if (present.some((s) => !TERMINAL_STATES.has(s))) return 'running';
  if (present.every((s) => s === 'succeeded')) return 'succeeded';
  return JOB_STATE_PRECEDENCE.find((s) => present.includes(s)) ?? 'failed';
}

/** Runs per state, e.g. `{succeeded: 48, failed: 2}`. */
export function countStates(states: readonly RunState[]): Partial<Record<RunState, number>> {
  const counts: Partial<Record<RunState, number>> = {};
  for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

/** Run states from which a run may still move forward. */
export const OPEN_RUN_STATES = ['queued', 'dispatched', 'running', 'unknown'] as const satisfies readonly RunState[];

/** Run states that occupy one of the agent's concurrency slots. */
export const ACTIVE_RUN_STATES = ['dispatched', 'running'] as const satisfies readonly RunState[];

/** Final run states that count as failures for a rollout's `max_failures`. */
export const FAILURE_STATES = ['failed', 'timed_out', 'interrupted'] as const satisfies readonly RunState[];
