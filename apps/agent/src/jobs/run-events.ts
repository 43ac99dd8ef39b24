import type { Failure, RunEvent, StepFailure, StepStatus } from '@flotilla/protocol';
import type { EngineEvent, JournalRecord, RunRecord } from '@flotilla/workflow';
import type { RunResult } from './run-executor.js';

type StepFinished = Extract<JournalRecord, { type: 'step.finished' }>;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function exitCodeOf(outputs: Record<string, unknown>): number | null {
  const code = outputs.exit_code;
  return typeof code === 'number' && Number.isInteger(code) ? code : null;
}

/**
 * Maps an engine event to the channel's `RunEvent`. Run-level events are dropped (the job runner
 * reports `run.started`/`run.finished` itself). `stopping` says the agent (not an operator)
 * aborted the run: steps the engine ended as `cancelled` are then reported `interrupted`.
 */
export function toRunEvent(event: EngineEvent, stopping: boolean): RunEvent | undefined {
  switch (event.kind) {
    case 'run.started':
    case 'run.finished':
      return undefined;
    case 'step.started':
      return { kind: 'step.started', ts: iso(event.ts), step: event.step, attempt: event.attempt };
    case 'log':
      return { kind: 'log', ts: iso(event.ts), step: event.step, stream: event.stream, line: event.line };
    case 'step.finished':
      return stepFinished({
        ts: event.ts,
        step: event.step,
        status: stopping && event.status === 'cancelled' ? 'interrupted' : event.status,
        outputs: event.outputs,
        error: event.error,
      });
  }
}

/** The `step.finished` event of a step a previous process journaled (reported again on resume). */
export function journaledStepEvent(record: StepFinished): RunEvent {
  return stepFinished(record);
}

function stepFinished(step: {
  ts: number;
  step: string;
  status: StepStatus;
  outputs: Record<string, unknown>;
  error?: StepFailure | undefined;
}): RunEvent {
  const error = step.error;
  return {
    kind: 'step.finished',
    ts: iso(step.ts),
    step: step.step,
    status: step.status,
    exitCode: exitCodeOf(step.outputs),
    ...(error === undefined ? {} : { error }),
    ...(Object.keys(step.outputs).length === 0 ? {} : { outputs: step.outputs }),
  };
}

/** The failure of a run the agent stopped (not an operator): the engine saw it as a cancel. */
export const AGENT_STOP_FAILURE: Failure = {
  code: 'INTERRUPTED',
  message: 'the agent stopped while the run was in flight',
  retryable: false,
};

/**
 * The run's result: the engine's status (`interrupted` when the agent stopped it), and the exit
 * code of the step that failed the run (null when it ran no process), else of the last step
 * that reported one.
 */
export function toRunResult(record: RunRecord, stopping: boolean): RunResult {
  const stopped = stopping && record.status === 'cancelled';
  const state = stopped ? 'interrupted' : record.status;
  const main = record.steps.filter((s) => s.phase === 'main');
  const failed = main.find((s) => s.status !== 'succeeded' && s.status !== 'skipped');
  // a run that failed before its failing step ran a process has no exit code to show
  const exitCode = (failed ?? main.filter((s) => s.exitCode !== undefined).at(-1))?.exitCode ?? null;
  const error = state === 'succeeded' ? undefined : stopped ? AGENT_STOP_FAILURE : record.error;
  return { state, exitCode, ...(error === undefined ? {} : { error }) };
}
