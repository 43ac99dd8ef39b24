import { StepError } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { RETRYABLE_SOCKET_CODES } from '../../net/socket-errors.js';

/** Socket-level failures, plus mysql2's lost-connection codes: the server may be back next time. */
const NETWORK_CODES = new Set([...RETRYABLE_SOCKET_CODES, 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT']);
/** mysql/mariadb server errors that say "try again". */
const MYSQL_TRANSIENT = new Set([
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
]);
const MYSQL_AUTH = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_NOT_SUPPORTED_AUTH_MODE']);

/**
 * SQLSTATE classes of PostgreSQL that a retry can fix: 08 connection exception,
 * 40 transaction rollback (serialization failure, deadlock), 53 insufficient resources,
 * 57P0x operator intervention (shutdown, cannot connect now).
 */
function isTransientSqlState(code: string): boolean {
  return /^(08|40|53)/.test(code) || /^57P0[1-4]$/.test(code);
}

/**
 * Turns whatever a driver threw into a StepError: abort → the abort's code; authentication
 * → `REMOTE_AUTH_FAILED` (not retryable: the same credentials fail again); network and
 * transient server conditions → retryable `STEP_FAILED`; everything else (bad SQL, missing
 * table, constraint violation) → `STEP_FAILED`, not retryable. `secret` is removed from the
 * message.
 */
export function toDbStepError(err: unknown, options: { signal: AbortSignal; secret: string }): StepError {
  if (options.signal.aborted) return abortedError(options.signal);
  if (err instanceof StepError) return err;
  const code = errorCode(err);
  const message = redact(err instanceof Error ? err.message : String(err), options.secret);
  if (code === '28P01' || code === '28000' || MYSQL_AUTH.has(code)) {
    return new StepError('REMOTE_AUTH_FAILED', `database authentication failed: ${message}`, { cause: err });
  }
  if (NETWORK_CODES.has(code) || MYSQL_TRANSIENT.has(code) || isTransientSqlState(code)) {
    return new StepError('STEP_FAILED', `database unavailable: ${message}`, { cause: err, retryable: true });
  }
  if (/timeout/i.test(message) && /connect/i.test(message)) {
    return new StepError('STEP_FAILED', `database unavailable: ${message}`, { cause: err, retryable: true });
  }
  return new StepError('STEP_FAILED', `query failed: ${message}${code === '' ? '' : ` (${code})`}`, { cause: err });
}

function errorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Node's AggregateError (happy eyeballs over ::1 and 127.0.0.1) keeps the codes inside.
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) return errorCode(inner[0]);
  return '';
}

/** Removes `secret` from `text`; short secrets are left to the engine's masking (too many false hits). */
export function redact(text: string, secret: string): string {
  return secret.length >= 3 ? text.replaceAll(secret, '***') : text;
}
