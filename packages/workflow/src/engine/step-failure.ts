import { errorCatalogue, isFlotillaError } from '@flotilla/protocol';
import type { ErrorCode, StepFailure } from '@flotilla/protocol';
import type { RetryPolicy } from '../model.js';
import { StepError } from '../step-type.js';

/** Why the engine aborted a signal; steps see it as `signal.reason`. */
export type AbortKind = 'timeout' | 'cancelled' | 'deadline' | 'fatal';

const ABORT_CODES: Record<AbortKind, ErrorCode> = {
  timeout: 'STEP_TIMEOUT',
  deadline: 'RUN_TIMEOUT',
  cancelled: 'CANCELLED',
  fatal: 'CANCELLED',
};

/**
 * The reason attached to every signal the engine aborts. It is a `StepError` (code
 * `STEP_TIMEOUT`, `RUN_TIMEOUT` or `CANCELLED`), so a step can rethrow it, with its partial
 * outputs, and the run record says why the step stopped.
 */
export class EngineAbortError extends StepError {
  readonly kind: AbortKind;

  constructor(kind: AbortKind, message: string) {
    // a timeout may be transient, so the retry policy applies to it
    super(ABORT_CODES[kind], message, { retryable: kind === 'timeout' });
    this.name = 'EngineAbortError';
    this.kind = kind;
  }
}

/** The abort kind of an aborted signal, if the engine aborted it. */
export function abortKindOf(signal: AbortSignal): AbortKind | undefined {
  if (!signal.aborted) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof EngineAbortError ? reason.kind : 'cancelled';
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorCatalogue, code);
}

/**
 * Normalises whatever a step threw. Only `StepError` (and errors that carry a catalogue code
 * and a `retryable` flag, like template errors) may ask for a retry: an unknown exception is
 * a bug or an unexpected condition, and repeating it blindly would hide it (STYLE rule 5).
 */
export function failureOf(err: unknown): { failure: StepFailure; outputs: Record<string, unknown> } {
  if (err instanceof StepError) {
    return { failure: { code: err.code, message: err.message, retryable: err.retryable }, outputs: err.outputs };
  }
  if (isFlotillaError(err)) return { failure: { code: err.code, message: err.message, retryable: false }, outputs: {} };
  if (err instanceof Error) {
    const { code, retryable } = err as Error & { code?: unknown; retryable?: unknown };
    return {
      failure: { code: isErrorCode(code) ? code : 'STEP_FAILED', message: err.message, retryable: retryable === true },
      outputs: {},
    };
  }
  return { failure: { code: 'STEP_FAILED', message: String(err), retryable: false }, outputs: {} };
}

/** Delay before attempt `failedAttempt + 1`: fixed or doubling, capped by `maxDelayMs` when set. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const base = policy.backoff === 'exponential' ? policy.delayMs * 2 ** (failedAttempt - 1) : policy.delayMs;
  return policy.maxDelayMs > 0 ? Math.min(base, policy.maxDelayMs) : base;
}

/** Text of a duration for log lines. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Math.round(ms / 100) / 10}s`;
}
