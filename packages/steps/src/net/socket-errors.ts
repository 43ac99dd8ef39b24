/**
 * Socket-level error codes (Node's `err.code`) after which the remote side may well answer on
 * the next attempt: steps that talk to a server treat them as retryable.
 */
export const RETRYABLE_SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
]);
