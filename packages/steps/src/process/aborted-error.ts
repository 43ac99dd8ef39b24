import { StepError } from '@flotilla/workflow';

/**
 * The error a step throws when its signal was aborted: the abort reason itself when the engine
 * aborted with a StepError (e.g. `STEP_TIMEOUT`), otherwise `CANCELLED`.
 */
export function abortedError(signal: AbortSignal, outputs: Record<string, unknown> = {}): StepError {
  const reason: unknown = signal.reason;
  if (reason instanceof StepError) {
    return new StepError(reason.code, reason.message, { retryable: reason.retryable, outputs, cause: reason });
  }
  return new StepError('CANCELLED', 'the step was cancelled', { outputs, cause: reason });
}
