import type { Failure, JobPayload, RunEvent, RunState } from '@flotilla/protocol';

/** Receives the step-level events of one run (`step.started`, `log`, `step.finished`). */
export interface RunEventSink {
  emit(event: RunEvent): void;
}

/** How a run ended. */
export interface RunResult {
  readonly state: Extract<RunState, 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'interrupted'>;
  /** The failed step's exit code, else the last step's; null when no process ran. */
  readonly exitCode: number | null;
  /** Why the run did not succeed. */
  readonly error?: Failure | undefined;
}

/**
 * Runs a verified job payload. The job runner emits `run.started`/`run.finished` around it and
 * owns delivery; an executor only runs steps. The abort signal's `reason` is a FlotillaError
 * with code `CANCELLED` (operator cancel) or `INTERRUPTED` (agent shutting down).
 * The agent's executor is the workflow engine (`createEngineExecutor`); tests may plug in others.
 */
export interface RunExecutor {
  execute(payload: JobPayload, sink: RunEventSink, signal: AbortSignal): Promise<RunResult>;
  /** The run's end is recorded for good: what the executor kept to resume it can go. */
  release?(runId: string): void;
}
