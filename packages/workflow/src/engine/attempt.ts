import type { StepPhase } from '../journal/journal-record.js';
import type { StepLogger, StepOutcome, StepType } from '../step-type.js';
import type { RunContext } from './run-context.js';
import { abortKindOf, EngineAbortError, formatMs } from './step-failure.js';
import type { AbortKind } from './step-failure.js';

export type AttemptResult =
  { ok: true; outputs: Record<string, unknown> } | { ok: false; error: unknown; abort: AbortKind | undefined };

export interface AttemptOptions {
  run: RunContext;
  stepType: StepType;
  config: unknown;
  key: string;
  attempt: number;
  timeoutMs: number;
  phase: StepPhase;
  log: StepLogger;
  /** The step's environment. @default the run's secrets */
  env?: Readonly<Record<string, string>> | undefined;
}

/** Reason for cancelling an attempt's timers; one shared object, as aborting without a reason builds a DOMException per step. */
const TIMERS_DONE = new EngineAbortError('cancelled', 'the attempt is over');

/** Sleeps on the injected clock; resolves `true` when the time elapsed, `false` when aborted. */
function timer(options: AttemptOptions, ms: number, signal: AbortSignal): Promise<boolean> {
  return options.run.options.clock.sleep(ms, signal).then(
    () => !signal.aborted,
    () => false,
  );
}

/**
 * One try of a step. Its signal aborts on the step timeout or when the parent signal aborts;
 * a step is expected to stop promptly then (steps kill their process groups), and one that
 * has not settled `abortGraceMs` later is abandoned, so a stuck step cannot hold the run.
 */
export async function runAttempt(options: AttemptOptions): Promise<AttemptResult> {
  const { run } = options;
  // aborted by the run (cancel, deadline, fatal error) or by this attempt's timeout
  const { controller, dispose } = run.linkedSignal(options.phase);
  if (controller.signal.aborted)
    return { ok: false, error: controller.signal.reason, abort: abortKindOf(controller.signal) };
  const timers = new AbortController();
  if (Number.isFinite(options.timeoutMs) && options.timeoutMs > 0) {
    void timer(options, options.timeoutMs, timers.signal).then((elapsed) => {
      if (elapsed)
        controller.abort(new EngineAbortError('timeout', `the step timed out after ${formatMs(options.timeoutMs)}`));
    });
  }
  const abandoned = new Promise<AttemptResult>((resolve) => {
    controller.signal.addEventListener(
      'abort',
      () => {
        void timer(options, run.options.abortGraceMs, timers.signal).then((elapsed) => {
          if (!elapsed) return;
          options.log.info(
            `the step did not stop within ${formatMs(run.options.abortGraceMs)} of being aborted; abandoned`,
          );
          resolve({ ok: false, error: controller.signal.reason, abort: abortKindOf(controller.signal) });
        });
      },
      { once: true },
    );
  });

  let outcome: Promise<StepOutcome>;
  try {
    outcome = options.stepType.run({
      config: options.config,
      signal: controller.signal,
      log: options.log,
      runId: run.runId,
      stepId: options.key,
      attempt: options.attempt,
      idempotencyKey: `${run.runId}:${options.key}:${options.attempt}`,
      env: options.env ?? run.init.secrets,
      services: run.options.services,
    });
  } catch (error) {
    outcome = Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  const settled = outcome.then(
    // a step that resolves without an outcome object is treated as having no outputs
    (result: StepOutcome | undefined): AttemptResult => ({ ok: true, outputs: result?.outputs ?? {} }),
    (error: unknown): AttemptResult => ({ ok: false, error, abort: abortKindOf(controller.signal) }),
  );
  try {
    return await Promise.race([settled, abandoned]);
  } finally {
    timers.abort(TIMERS_DONE);
    dispose();
  }
}
