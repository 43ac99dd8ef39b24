import { z } from 'zod';
import { errorCatalogue, ErrorCodeSchema, type ErrorCode, type FlotillaError } from './errors.js';

/** Terminal states of one step, as the engine journals them and the agent reports them. */
export const StepStatusSchema = z.enum(['succeeded', 'failed', 'skipped', 'cancelled', 'timed_out', 'interrupted']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/**
 * Why a step did not succeed, as the engine journals it and the channel carries it. `retryable`
 * says whether another attempt can help (STYLE rule 5): the engine decides retries from it, never
 * from the message.
 */
export const StepFailureSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  retryable: z.boolean(),
});
export type StepFailure = z.infer<typeof StepFailureSchema>;

/**
 * Why a run did not succeed: `runs[].error` of the REST API and `run.finished.error` of the
 * channel. `step` is the key of the step whose failure ended the run, when one did (a run that
 * expired, was cancelled before it started or was interrupted by an agent stop names none).
 */
export const FailureSchema = StepFailureSchema.extend({ step: z.string().optional() });
export type Failure = z.infer<typeof FailureSchema>;

/**
 * The wire form of a `FlotillaError` raised where a run or step failed. Only `FlotillaError`s
 * become failures: a local programming error is logged where it happened and reported as a
 * generic `INTERNAL` failure, never with its own message (STYLE rule 3).
 */
export function toFailure(err: FlotillaError, options: { retryable?: boolean; step?: string } = {}): Failure {
  return {
    code: err.code,
    message: err.message,
    retryable: options.retryable ?? false,
    ...(options.step === undefined ? {} : { step: options.step }),
  };
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}

const LEGACY_TEXT = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/;

/**
 * The failure that a `"CODE: message"` text of protocol version 1 agents (and of runs stored
 * before migration 0008) stands for. Such texts never said whether a retry could help, so
 * `retryable` is false; a text without a catalogue code is kept whole as the message of an
 * `INTERNAL` failure. Migration 0008 uses this: keep it returning the same for the same text.
 */
export function failureFromText(text: string): Failure {
  const match = LEGACY_TEXT.exec(text);
  const code = match?.[1];
  if (match !== null && code !== undefined && isErrorCode(code))
    return { code, message: match[2] ?? '', retryable: false };
  return { code: 'INTERNAL', message: text, retryable: false };
}

/**
 * A failure as an agent reports it (on the channel, or in its own files from before an upgrade),
 * made into the object form: the text of protocol version 1 is converted, and a code this build
 * does not know (from an agent newer than the control plane) becomes `INTERNAL` with the code
 * kept in the message, since a refused event would be replayed forever.
 */
function reportedFailureInput(value: unknown): unknown {
  if (typeof value === 'string') return failureFromText(value);
  if (typeof value !== 'object' || value === null) return value;
  const { code, message } = value as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string' || isErrorCode(code)) return value;
  return { ...value, code: 'INTERNAL', message: `${message} (code ${code}, unknown to this version)` };
}

/** `step.finished.error` as reported: a {@link StepFailure}, or the text of a version 1 agent. */
export const ReportedStepFailureSchema = z.preprocess(reportedFailureInput, StepFailureSchema);
/** `run.finished.error` as reported: a {@link Failure}, or the text of a version 1 agent. */
export const ReportedFailureSchema = z.preprocess(reportedFailureInput, FailureSchema);
