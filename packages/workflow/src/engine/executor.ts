import type { StepStatus } from '@flotilla/protocol';
import type { StepPhase } from '../journal/journal-record.js';
import type { AfterFailure, StepNode } from '../model.js';
import type { RunContext } from './run-context.js';
import type { StepFrame } from './step-frame.js';

/** How a step ended, and whether that stops the block it is in. */
export interface NodeOutcome {
  status: StepStatus;
  fatal: boolean;
}

/** How a block of steps ended: `succeeded`, or the status of the worst fatal step. */
export type BlockStatus = 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'interrupted';

export interface BlockOptions {
  /** How many steps may run at once. @default Infinity */
  concurrency?: number | undefined;
  /** Ignore `needs` (a `parallel` step runs all its tasks at once). @default false */
  ignoreNeeds?: boolean | undefined;
  /** A fatal step stops the block: later steps are skipped. `finally` runs everything. @default true */
  stopOnFailure?: boolean | undefined;
  /**
   * With `skip-dependents`, a fatal step stops only the steps that need it (directly or through
   * other skipped steps); the others go on. Overrides `stopOnFailure`. @default 'stop'
   */
  afterFailure?: AfterFailure | undefined;
}

/**
 * The two recursive operations of the engine, handed to control steps and blocks so those
 * modules depend on this interface rather than on each other.
 */
export interface Executor {
  readonly run: RunContext;
  /** Runs (or replays) one step under `key` (default: its key in `frame`). */
  runNode(node: StepNode, frame: StepFrame, phase: StepPhase, key?: string): Promise<NodeOutcome>;
  runBlock(
    nodes: readonly StepNode[],
    frame: StepFrame,
    phase: StepPhase,
    options?: BlockOptions,
  ): Promise<BlockStatus>;
}

const SEVERITY: Record<BlockStatus, number> = { succeeded: 0, failed: 1, timed_out: 2, cancelled: 3, interrupted: 4 };

/** The more severe of two block statuses. */
export function worse(a: BlockStatus, b: BlockStatus): BlockStatus {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** The block status a fatal step status contributes. */
export function blockStatusOf(status: StepStatus): BlockStatus {
  return status === 'skipped' ? 'succeeded' : status;
}
