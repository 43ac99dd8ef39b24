import type { Failure, StepFailure, StepStatus } from '@flotilla/protocol';
import type { RunStatus, StepPhase } from '../journal/journal-record.js';

/**
 * Why a step was skipped, for people and reports. `step` is the journal key of the step whose
 * failure caused it (`DEPENDENCY_FAILED`: one it needs, directly or through skipped steps;
 * `RUN_STOPPED`: another one, after which nothing new started); `condition` is the `if:` that
 * was false.
 */
export interface SkipReason {
  code: 'CONDITION_FALSE' | 'DEPENDENCY_FAILED' | 'RUN_STOPPED' | 'RUN_CANCELLED' | 'RUN_TIMED_OUT';
  step?: string | undefined;
  condition?: string | undefined;
}

/**
 * What the engine reports while a run executes. The shapes follow the agent channel's
 * `RunEvent` (`kind` names match), with times as epoch milliseconds (the host formats them).
 * Log lines are already masked. Steps replayed from the journal after a restart emit nothing.
 */
export type EngineEvent =
  | {
      kind: 'run.started';
      runId: string;
      ts: number;
      /** The workflow's name, placeholders resolved (as `description`, when it has one). */
      workflow: string;
      description?: string | undefined;
      resumed: boolean;
    }
  /** `name` (here and in `step.finished`) is the step's name with its placeholders resolved. */
  | { kind: 'step.started'; runId: string; ts: number; step: string; name: string; attempt: number }
  | {
      kind: 'log';
      runId: string;
      ts: number;
      step: string;
      stream: 'stdout' | 'stderr' | 'system';
      line: string;
    }
  | {
      kind: 'step.finished';
      runId: string;
      ts: number;
      step: string;
      name: string;
      phase: StepPhase;
      status: StepStatus;
      outputs: Record<string, unknown>;
      error?: StepFailure | undefined;
      exitCode?: number | undefined;
      attempts: number;
      /** Tries its retry policy allowed (at least `attempts`); absent for steps that never start. */
      maxAttempts?: number | undefined;
      /** Why it did not run, when `status` is `skipped`. */
      skipReason?: SkipReason | undefined;
      durationMs: number;
    }
  | {
      kind: 'run.finished';
      runId: string;
      ts: number;
      status: RunStatus;
      error?: Failure | undefined;
      durationMs: number;
    };
