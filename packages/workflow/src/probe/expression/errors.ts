/** Stable codes of probe expression failures (STYLE rule 3: tests assert the code, not the wording). */
export type ProbeExpressionErrorCode = 'EXPRESSION_SYNTAX' | 'EXPRESSION_FAILED' | 'EXPRESSION_LIMIT';

/** A probe expression that does not parse, fails while it runs, or goes past a limit. */
export class ProbeExpressionError extends Error {
  override readonly name = 'ProbeExpressionError';
  constructor(
    readonly code: ProbeExpressionErrorCode,
    message: string,
    /** 0-based offset in the expression (or template) source, when known. */
    readonly offset?: number,
    /**
     * Where in a rendered value the failing string is (`headers.authorization`, `items[1]`), as set
     * by renderProbeTemplates; `offset` is then within that string.
     */
    readonly path?: string,
  ) {
    super(message);
  }
}

/** A type error or a failed function while evaluating. */
export function failed(message: string, offset?: number): ProbeExpressionError {
  return new ProbeExpressionError('EXPRESSION_FAILED', message, offset);
}

/** A bound of PROBE_EXPRESSION_LIMITS was reached. */
export function overLimit(message: string, offset?: number): ProbeExpressionError {
  return new ProbeExpressionError('EXPRESSION_LIMIT', message, offset);
}
