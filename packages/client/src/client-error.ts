/**
 * What went wrong on the client's side of a call, when there is no answer from the control plane
 * to report: it could not be reached, it did not answer in time, its answer was not what the
 * route returns, or a log stream kept closing.
 */
export type ClientErrorKind = 'unreachable' | 'timeout' | 'invalid-response' | 'stream-closed';

/**
 * The client's own failures. They are local errors, never a `FlotillaError`: that class stands
 * for a problem the control plane answered with (its stable `code` comes off the wire), and a
 * caller that branches on `err.code` must never mistake a dropped connection for, say, a
 * `SERVICE_UNAVAILABLE` the server sent. Never serialised.
 */
export class FlotillaClientError extends Error {
  readonly kind: ClientErrorKind;

  constructor(kind: ClientErrorKind, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'FlotillaClientError';
    this.kind = kind;
  }
}

/** True for the client's own failures (see {@link FlotillaClientError}). */
export function isFlotillaClientError(err: unknown): err is FlotillaClientError {
  return err instanceof FlotillaClientError;
}
