import { storableText, type Failure } from '@flotilla/protocol';

/**
 * How run and step failures are stored: `runs.error` and `run_steps.error` hold the failure as
 * JSON text (`{code, message, retryable, step?}`), the form the API and the channel use, so
 * nothing is parsed out of prose. Free text is made storable like every other reported text
 * (U+0000 becomes U+FFFD on both dialects). Migration 0008 converted the `"CODE: message"` text
 * stored before.
 */
export function storedFailure(failure: Failure): string {
  return JSON.stringify({
    code: failure.code,
    message: storableText(failure.message),
    retryable: failure.retryable,
    ...(failure.step === undefined ? {} : { step: storableText(failure.step) }),
  });
}

/** The failure a `runs.error` or `run_steps.error` column holds (written by `storedFailure` only). */
export function failureOfColumn(text: string | null): Failure | null {
  return text === null ? null : (JSON.parse(text) as Failure);
}
