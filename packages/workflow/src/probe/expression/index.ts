/**
 * The expression and template language of linyows/probe documents (expr-lang syntax with
 * probe's function set). Stubs: the implementation follows in later commits.
 */
export type ProbeExpressionErrorCode = 'EXPRESSION_SYNTAX' | 'EXPRESSION_FAILED' | 'EXPRESSION_LIMIT';

/** A probe expression that does not parse, fails, or exceeds a limit. */
export class ProbeExpressionError extends Error {
  override readonly name = 'ProbeExpressionError';
  constructor(
    readonly code: ProbeExpressionErrorCode,
    message: string,
    /** 0-based offset in the expression source, when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export interface ProbeExpression {
  readonly source: string;
  /** Root names the expression reads (e.g. ['res', 'outputs', 'vars']), for validation of unknown names. */
  readonly names: readonly string[];
  evaluate(env: Readonly<Record<string, unknown>>): unknown;
}

const notYet = (...args: unknown[]): never => {
  throw new ProbeExpressionError(
    'EXPRESSION_FAILED',
    `probe expressions: not yet implemented (${String(args.length)})`,
  );
};

export function compileProbeExpression(source: string): ProbeExpression {
  return notYet(source);
}

/** The `{{ expr }}` parts of a string, with offsets, for validation. Unbalanced braces → EXPRESSION_SYNTAX. */
export function probeTemplateParts(text: string): { source: string; offset: number; length: number }[] {
  return notYet(text);
}

/** Renders `{{ expr }}` templates: a string that is exactly one template keeps the value's type. */
export function renderProbeTemplate(text: string, env: Readonly<Record<string, unknown>>): unknown {
  return notYet(text, env);
}

/** Renders every string inside a JSON-like value (objects/arrays recursively). */
export function renderProbeTemplates(value: unknown, env: Readonly<Record<string, unknown>>): unknown {
  return notYet(value, env);
}
