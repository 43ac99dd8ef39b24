import { StepError } from '@flotilla/workflow';

/** Error codes of transient conditions where another attempt can succeed. */
const TRANSIENT = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'ENOSPC', 'ETXTBSY', 'EINTR']);

/** The `code` of a Node.js system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/**
 * Turns a file-system error into a StepError with a stable code: missing files are
 * `FILE_NOT_FOUND`, existing targets `FILE_EXISTS`, transient conditions (busy, out of
 * descriptors or space) are retryable `STEP_FAILED`, everything else is a final `STEP_FAILED`.
 */
export function toFileStepError(err: unknown, action: string): StepError {
  if (err instanceof StepError) return err;
  const code = errnoCode(err);
  const reason = err instanceof Error ? err.message : String(err);
  switch (code ?? '') {
    case 'ENOENT':
    case 'ENOTDIR':
      return new StepError('FILE_NOT_FOUND', `${action}: ${reason}`, { cause: err });
    case 'EEXIST':
    case 'ENOTEMPTY':
      return new StepError('FILE_EXISTS', `${action}: ${reason}`, { cause: err });
    default:
      return new StepError('STEP_FAILED', `${action}: ${reason}`, {
        retryable: code !== undefined && TRANSIENT.has(code),
        cause: err,
      });
  }
}
