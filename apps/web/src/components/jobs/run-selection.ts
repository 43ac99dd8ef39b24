import type { RunDetail, RunStepState } from '@flotilla/protocol';

/** What the log view narrows to: one run (an agent's), one step, or one step of one run. */
export interface RunSelection {
  runId?: string | undefined;
  /** A top-level step id: its lines and those of the steps nested in it. */
  step?: string | undefined;
}

/** Whether a line of step `key` belongs to the top-level step `step` (itself, or nested in it). */
export function inStep(key: string, step: string): boolean {
  return key === step || key.startsWith(`${step}/`) || key.startsWith(`${step}[`);
}

/** The state of a top-level step in a run: `pending` until it started. */
export function stepStateIn(run: RunDetail, step: string): RunStepState | 'pending' {
  return run.steps.find((s) => s.step === step)?.status ?? 'pending';
}

const FAILED: readonly RunStepState[] = ['failed', 'timed_out', 'interrupted'];

/**
 * One state for a step across the runs of a fan-out, for the step graph: failed if it failed
 * anywhere, running while it runs or has run on some agents only, else the state they share.
 */
export function combinedStepState(runs: readonly RunDetail[], step: string): RunStepState | undefined {
  const states = runs.map((run) => stepStateIn(run, step));
  const failed = FAILED.find((f) => states.includes(f));
  if (failed !== undefined) return failed;
  if (states.includes('running')) return 'running';
  const [first] = states;
  if (first === undefined || first === 'pending') return states.some((s) => s !== 'pending') ? 'running' : undefined;
  if (states.every((s) => s === first)) return first;
  return states.includes('pending') ? 'running' : first;
}
