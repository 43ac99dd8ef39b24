import { FlotillaError } from '@flotilla/protocol';
import { isFlotillaClientError } from '@flotilla/client';

/** The stable error code of a failed call, when it has one. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof FlotillaError ? err.code : undefined;
}

/** True when the session is gone (expired, logged out elsewhere, revoked). */
export function isUnauthenticated(err: unknown): boolean {
  return errorCode(err) === 'UNAUTHENTICATED';
}

/** One line that says what went wrong, for a toast or an error state. */
export function describeError(err: unknown): string {
  if (err instanceof FlotillaError) return `${err.message} (${err.code})`;
  if (isFlotillaClientError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
