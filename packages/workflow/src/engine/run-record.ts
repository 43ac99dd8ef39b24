import type { AgentScope } from '../expressions/template-scope.js';
import type { Failure, StepFailure, StepStatus } from '@flotilla/protocol';
import type { RunStatus, StepFinishedRecord, StepPhase } from '../journal/journal-record.js';
import type { CompiledWorkflow } from '../model.js';

/** One request to execute (or resume) a run. */
export interface RunRequest {
  /** Stable id; the journal is keyed by it. A run id with journal records is resumed. */
  runId: string;
  workflow: CompiledWorkflow;
  /**
   * Checked against `workflow.inputs` (defaults, types, enums) before anything runs. Ignored
   * when the run is resumed: a run keeps the inputs it was started with (from its journal).
   */
  inputs?: Record<string, unknown> | undefined;
  /**
   * Secret values by name: visible to templates, passed to steps as environment, masked
   * everywhere. Never journaled, so a host resuming a run must supply them again.
   */
  secrets?: Record<string, string> | undefined;
  agent?: AgentScope | undefined;
  job?: Record<string, unknown> | undefined;
  /**
   * What a probe document's top-level `vars` read by bare name (`{{TOKEN ?? 'x'}}`), besides the
   * run's secrets, which win: `flotilla run` passes its process environment; an agent passes
   * nothing, so there only the job's secrets are read (never the agent's own environment).
   * Never journaled.
   */
  environment?: Record<string, string> | undefined;
  /** Cancels the run: running steps are aborted, `finally` runs, the run ends `cancelled`. */
  signal?: AbortSignal | undefined;
}

/** How one step ended. `key` is its journal key (`loop[1]/child` inside a foreach). */
export interface StepRecord {
  key: string;
  name: string;
  type: string;
  phase: StepPhase;
  status: StepStatus;
  outputs: Record<string, unknown>;
  error?: StepFailure | undefined;
  exitCode?: number | undefined;
  attempts: number;
  startedAt?: number | undefined;
  finishedAt: number;
  durationMs: number;
}

/** The outcome of a run; steps in order of completion. */
export interface RunRecord {
  runId: string;
  workflow: string;
  status: RunStatus;
  inputs: Record<string, unknown>;
  /** True when this process picked the run up from an existing journal. */
  resumed: boolean;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  /** Why the run did not succeed; `step` names the step whose failure ended it. */
  error?: Failure | undefined;
  steps: StepRecord[];
}

/** The exit code a step reported in its outputs (`exit_code`), if any. */
export function exitCodeOf(outputs: Record<string, unknown>): number | undefined {
  const code = outputs.exit_code ?? outputs.exitCode;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/** The reported form of a journaled step result. */
export function stepRecordOf(record: StepFinishedRecord): StepRecord {
  return {
    key: record.step,
    name: record.name,
    type: record.stepType,
    phase: record.phase,
    status: record.status,
    outputs: record.outputs,
    error: record.error,
    exitCode: exitCodeOf(record.outputs),
    attempts: record.attempt,
    startedAt: record.startedAt,
    finishedAt: record.ts,
    durationMs: record.startedAt === undefined ? 0 : Math.max(0, record.ts - record.startedAt),
  };
}
