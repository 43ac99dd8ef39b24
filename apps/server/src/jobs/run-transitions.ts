import { TERMINAL_STATES } from '@flotilla/protocol';
import type { RunState } from '@flotilla/protocol';
import { OPEN_RUN_STATES } from './job-state.js';

/** Every final state: what an agent may report in `run.finished`. */
const FINAL_STATES = [...TERMINAL_STATES] as readonly RunState[];

/**
 * Every way a run's state may change (SPEC §6), with the states it may change from and to. This
 * table is the whole state machine: `transitionRun` applies a change only while the run is in one
 * of its `from` states (so transitions only go forward, and a late or repeated event changes
 * nothing) and refuses a `to` the entry does not list.
 */
export const RUN_TRANSITIONS = {
  /** The run's signed offer goes to its agent. */
  dispatch: { from: ['queued'], to: ['dispatched'] },
  /** The agent verified and journaled the run (`job.ack`); a lost `dispatched` may be skipped. */
  acknowledge: { from: ['queued', 'dispatched'], to: ['running'] },
  /** The agent reports `run.started`; an `unknown` run whose agent came back resolves here. */
  start: { from: ['queued', 'dispatched', 'unknown'], to: ['running'] },
  /** The agent reports the run's end (`run.finished`), also for a run that was `unknown`. */
  finish: { from: OPEN_RUN_STATES, to: FINAL_STATES },
  /** The agent refused the envelope (`job.reject`): nothing ran. */
  reject: { from: ['queued', 'dispatched', 'running'], to: ['failed'] },
  /** The run cannot be delivered: its declared secrets are gone or no longer open. */
  undeliverable: { from: ['queued', 'dispatched'], to: ['failed'] },
  /** The agent's connection ended before it acknowledged the offer: offered again later. */
  requeue: { from: ['dispatched'], to: ['queued'] },
  /** The agent's connection ended with the run on it: `unknown` until the agent reports. */
  lose: { from: ['dispatched', 'running'], to: ['unknown'] },
  /** Not delivered before the job's `expires_at`. */
  expire: { from: ['queued'], to: ['expired'] },
  /** Cancelled before it reached an agent (a job cancel, a rollout stopped by failures). */
  cancel: { from: ['queued'], to: ['cancelled'] },
} as const satisfies Record<string, { from: readonly RunState[]; to: readonly RunState[] }>;

export type RunTransitionName = keyof typeof RUN_TRANSITIONS;

type Targets<N extends RunTransitionName> = (typeof RUN_TRANSITIONS)[N]['to'];

/** The target state of a transition: implied when it has one, named when it has several (`finish`). */
export type TransitionTarget<N extends RunTransitionName> =
  Targets<N> extends readonly [infer Only] ? { to?: Only } : { to: RunState };

/** The `from` states and the target of a named transition; throws on a target the table does not allow. */
export function resolveTransition(
  name: RunTransitionName,
  to: RunState | undefined,
): { from: readonly RunState[]; to: RunState } {
  const entry: { from: readonly RunState[]; to: readonly RunState[] } = RUN_TRANSITIONS[name];
  const target = to ?? (entry.to.length === 1 ? entry.to[0] : undefined);
  // A programming error, never input: callers pass table states, and `finish` gets a parsed final state.
  if (target === undefined || !entry.to.includes(target))
    throw new Error(`run transition ${name} cannot go to ${String(to)}`);
  return { from: entry.from, to: target };
}
