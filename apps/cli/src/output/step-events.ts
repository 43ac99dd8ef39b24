import type { EngineEvent, SkipReason } from '@flotilla/workflow';

/** What `step.finished` events say that the run record does not. */
export interface FinishDetails {
  maxAttempts?: number | undefined;
  skipReason?: SkipReason | undefined;
}

/** Output lines kept per step: the JUnit report and the `--quiet` report show them for failed steps. */
const TAIL_LINES = 20;

/**
 * Collects, from the engine's events, what the reports need besides the run record: the last
 * output lines of each step (stdout and stderr) and the details of each finished step.
 */
export function createStepEvents() {
  const tails = new Map<string, string[]>();
  const details = new Map<string, FinishDetails>();
  const onEvent = (event: EngineEvent): void => {
    if (event.kind === 'log' && event.stream !== 'system') {
      const tail = tails.get(event.step) ?? [];
      tail.push(event.line);
      if (tail.length > TAIL_LINES) tail.shift();
      tails.set(event.step, tail);
    } else if (event.kind === 'step.finished') {
      details.set(event.step, { maxAttempts: event.maxAttempts, skipReason: event.skipReason });
    }
  };
  return {
    onEvent,
    tails: tails as ReadonlyMap<string, readonly string[]>,
    details: details as ReadonlyMap<string, FinishDetails>,
  };
}
