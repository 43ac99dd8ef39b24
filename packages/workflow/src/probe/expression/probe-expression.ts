import { compileTree } from './compile.js';
import { createContext } from './context.js';
import type { EvaluationContext, ProbeEvaluateOptions } from './context.js';
import { evaluateTree } from './evaluate.js';
import { renderValue } from './render-templates.js';
import { renderTemplateText, renderTemplateValue } from './template-render.js';

/** A compiled probe expression (expr-lang syntax, probe's functions), evaluated many times. */
export interface ProbeExpression {
  readonly source: string;
  /** Root names the expression reads (e.g. ['res', 'outputs', 'vars']), for validation of unknown names. */
  readonly names: readonly string[];
  /** Throws ProbeExpressionError (EXPRESSION_FAILED or EXPRESSION_LIMIT). */
  evaluate(env: Readonly<Record<string, unknown>>, options?: ProbeEvaluateOptions): unknown;
}

function context(env: Readonly<Record<string, unknown>>, options: ProbeEvaluateOptions | undefined): EvaluationContext {
  return createContext(env, options, renderTemplateText);
}

/**
 * Compiles a probe expression (a `test:`, `skipif:` or `outputs:` value). Throws
 * ProbeExpressionError: EXPRESSION_SYNTAX at the offset of the first token that does not fit,
 * EXPRESSION_FAILED for a call to a function that does not exist, EXPRESSION_LIMIT for an
 * expression too long or too deeply nested.
 */
export function compileProbeExpression(source: string): ProbeExpression {
  const { tree, names } = compileTree(source);
  return {
    source,
    names,
    evaluate: (env, options) => evaluateTree(tree, context(env, options)),
  };
}

/**
 * Renders `{{ expr }}` templates: a string that is exactly one template keeps the value's type;
 * otherwise each part is printed (strings as they are, maps and arrays as JSON, nil as `<nil>` as
 * probe prints it). Errors carry the offset in `text`.
 */
export function renderProbeTemplate(
  text: string,
  env: Readonly<Record<string, unknown>>,
  options?: ProbeEvaluateOptions,
): unknown {
  return renderTemplateValue(text, context(env, options));
}

/**
 * Renders every string inside a JSON-like value (maps, keys included, and arrays, recursively)
 * into a new value. An error names where the string is in `path`, with `offset` inside that string.
 */
export function renderProbeTemplates(
  value: unknown,
  env: Readonly<Record<string, unknown>>,
  options?: ProbeEvaluateOptions,
): unknown {
  return renderValue(value, context(env, options));
}
