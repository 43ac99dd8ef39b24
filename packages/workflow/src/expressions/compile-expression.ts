import { Environment, ParseError } from '@marcbachmann/cel-js';
import type { ParseResult } from '@marcbachmann/cel-js';
import { rewriteHyphenatedNames } from './hyphenated-names.js';
import { collectReferences } from './references.js';
import type { ExpressionReference } from './references.js';

/** The contexts an expression may read (SPEC §5.1). */
export const EXPRESSION_CONTEXTS = [
  'inputs',
  'vars',
  'secrets',
  'steps',
  'item',
  'index',
  'agent',
  'job',
  'run',
] as const;
export type ExpressionContext = (typeof EXPRESSION_CONTEXTS)[number];

function createEnvironment(): Environment {
  // Mixed literals (`[1, "a"]`) are normal in workflow data, so aggregates need not be homogeneous.
  const env = new Environment({ homogeneousAggregateLiterals: false });
  for (const name of EXPRESSION_CONTEXTS) env.registerVariable(name, 'dyn');
  // YAML numbers like `1.5` are doubles and `2` is an int; CEL refuses `double * int`, which
  // surprises people writing `inputs.ratio * 2`, so mixed arithmetic is allowed and yields a double.
  for (const op of ['+', '-', '*', '/'] as const) {
    const apply = (a: number, b: number): number =>
      op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => apply(a, Number(b)));
    env.registerOperator(`int ${op} double`, (a: bigint, b: number) => apply(Number(a), b));
  }
  return env;
}

const environment = createEnvironment();

/** A parsed expression, ready to evaluate many times. */
export interface CompiledExpression {
  readonly source: string;
  readonly program: ParseResult;
  /** Free variables the expression reads (macro variables excluded). */
  readonly references: readonly ExpressionReference[];
  /** Maps an offset of the parsed text back to `source` (hyphenated names are rewritten). */
  readonly toSourceOffset: (offset: number) => number;
}

/** A syntax error with its offset in the expression source. */
export interface ExpressionSyntaxError {
  readonly message: string;
  readonly offset: number;
}

export type CompileResult = { ok: true; expression: CompiledExpression } | { ok: false; error: ExpressionSyntaxError };

// Bounded so a long-lived agent evaluating generated expressions cannot grow without limit.
const CACHE_LIMIT = 2000;
const cache = new Map<string, CompileResult>();

/** Parses a CEL expression (cached by source). Never throws. */
export function compileExpression(source: string): CompileResult {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const result = compileUncached(source);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, result);
  return result;
}

function compileUncached(source: string): CompileResult {
  if (source.trim() === '') return { ok: false, error: { message: 'the expression is empty', offset: 0 } };
  const rewritten = rewriteHyphenatedNames(source);
  try {
    const program = environment.parse(rewritten.text);
    return {
      ok: true,
      expression: {
        source,
        program,
        references: collectReferences(program.ast).map((ref) => ({
          ...ref,
          start: rewritten.toOriginal(ref.start),
          end: rewritten.toOriginal(ref.end),
        })),
        toSourceOffset: rewritten.toOriginal,
      },
    };
  } catch (err) {
    if (err instanceof ParseError) {
      const start = err.range?.start ?? err.node?.start ?? 0;
      return { ok: false, error: { message: err.summary || err.message, offset: rewritten.toOriginal(start) } };
    }
    return { ok: false, error: { message: err instanceof Error ? err.message : String(err), offset: 0 } };
  }
}
