import { FlotillaError, isFlotillaError } from '@flotilla/protocol';
import type { ErrorCode, Problem } from '@flotilla/protocol';

/** Fastify's own request errors, mapped onto the catalogue (with a detail where the title is vague). */
const FASTIFY_CODES: Record<string, { code: ErrorCode; detail?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'BAD_REQUEST' },
  // Router errors (through `frameworkErrors`): the URL is not echoed back, it may be 16 KB long.
  FST_ERR_BAD_URL: { code: 'BAD_REQUEST', detail: 'The URL path is not valid percent-encoded UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URI_TOO_LONG', detail: 'A path segment is longer than 100 characters' },
};

/**
 * The one place where any thrown value becomes an RFC 9457 problem. Known errors keep their
 * code; Fastify request errors are mapped; anything else becomes `INTERNAL` with a generic
 * detail, so internals (SQL, paths, stack traces) never reach a client. `expected` tells the
 * caller whether the error is a normal client outcome or a defect to log with its cause.
 */
export function toProblem(err: unknown, instance?: string): { problem: Problem; expected: boolean } {
  const known = asFlotillaError(err);
  if (known !== undefined) return { problem: known.toProblem(instance), expected: known.status < 500 };
  return {
    problem: new FlotillaError('INTERNAL', { detail: 'An internal error occurred; see the server log' }).toProblem(
      instance,
    ),
    expected: false,
  };
}

function asFlotillaError(err: unknown): FlotillaError | undefined {
  if (isFlotillaError(err)) return err;
  const { code, statusCode } = (err ?? {}) as { code?: unknown; statusCode?: unknown };
  const mapped = typeof code === 'string' ? FASTIFY_CODES[code] : undefined;
  if (mapped !== undefined) return new FlotillaError(mapped.code, { detail: mapped.detail, cause: err });
  // Other 4xx raised by Fastify or a plugin describe the request, not the server: safe to say.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && err instanceof Error) {
    if (statusCode === 429) return new FlotillaError('RATE_LIMITED', { cause: err });
    return new FlotillaError('BAD_REQUEST', { detail: err.message, cause: err });
  }
  return undefined;
}
