import { EvaluationError } from '@marcbachmann/cel-js';
import { fromCel, toCel } from './cel-values.js';
import { compileExpression } from './compile-expression.js';
import type { CompiledExpression } from './compile-expression.js';
import { hasTemplates, scanTemplate, wholeExpression } from './template-syntax.js';
import type { TemplateSegment } from './template-syntax.js';
import { TemplateError } from './template-scope.js';
import type { TemplateScope } from './template-scope.js';

/**
 * Builds the CEL context for one evaluation, converting only the contexts the expression reads
 * (and, for `steps`, only the steps it names): step outputs can be large, and converting all of
 * them for every expression would dominate the per-step cost.
 */
function celContext(expression: CompiledExpression, scope: TemplateScope): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  let stepIds: Set<string> | 'all' | undefined;
  for (const ref of expression.references) {
    if (ref.root === 'steps') {
      const id = ref.path[0];
      if (id === undefined || stepIds === 'all') stepIds = 'all';
      else {
        stepIds ??= new Set();
        stepIds.add(id);
      }
      continue;
    }
    if (ref.root in context || !Object.hasOwn(scope, ref.root)) continue;
    const value = scope[ref.root as keyof TemplateScope];
    if (value !== undefined) context[ref.root] = toCel(value);
  }
  if (stepIds === 'all') context.steps = toCel(scope.steps);
  else if (stepIds !== undefined) {
    const picked: Record<string, unknown> = {};
    for (const id of stepIds) if (Object.hasOwn(scope.steps, id)) picked[id] = toCel(scope.steps[id]);
    context.steps = picked;
  }
  return context;
}

function evaluateCompiled(source: string, scope: TemplateScope): unknown {
  const compiled = compileExpression(source);
  if (!compiled.ok) {
    throw new TemplateError(
      source,
      `\${{ ${source} }}: syntax error at column ${compiled.error.offset + 1}: ${compiled.error.message}`,
    );
  }
  const expression = compiled.expression;
  let result: unknown;
  try {
    result = expression.program(celContext(expression, scope));
  } catch (err) {
    const detail =
      err instanceof EvaluationError ? err.summary || err.message : err instanceof Error ? err.message : String(err);
    const hint = /Unknown variable: (item|index)\b/.test(detail)
      ? ' (item and index exist only inside a foreach step)'
      : '';
    throw new TemplateError(source, `\${{ ${source} }}: ${detail}${hint}`, { cause: err });
  }
  if (result instanceof Promise) {
    // only async custom functions return promises, and none are registered
    throw new TemplateError(source, `\${{ ${source} }}: asynchronous expressions are not supported`);
  }
  return fromCel(result);
}

function lookupName(name: string, scope: TemplateScope): unknown {
  if (Object.hasOwn(scope.inputs, name)) return scope.inputs[name];
  if (Object.hasOwn(scope.vars, name)) return scope.vars[name];
  if (Object.hasOwn(scope.secrets, name)) return scope.secrets[name];
  throw new TemplateError(`{{.${name}}}`, `{{.${name}}} names no input, variable or secret`);
}

/** How a value is written into surrounding text. */
function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

function renderSegments(text: string, segments: readonly TemplateSegment[], scope: TemplateScope): string {
  let out = '';
  for (const segment of segments) {
    switch (segment.kind) {
      case 'text':
        out += segment.text;
        break;
      case 'name':
        out += stringify(lookupName(segment.name, scope));
        break;
      case 'expression':
        out += stringify(evaluateCompiled(segment.source, scope));
        break;
      case 'unterminated':
        throw new TemplateError(text, `"\${{" at offset ${segment.start} has no closing "}}"`);
    }
  }
  return out;
}

function resolveString(text: string, scope: TemplateScope): unknown {
  if (!hasTemplates(text)) return text;
  const segments = scanTemplate(text);
  const whole = wholeExpression(segments);
  if (whole !== undefined) return evaluateCompiled(whole, scope);
  return renderSegments(text, segments, scope);
}

/**
 * Resolves every `{{.NAME}}` and `${{ expr }}` in the strings of a value (objects and arrays are
 * walked; other values are returned as they are). A string that is entirely one `${{ }}` keeps
 * the expression's type (number, boolean, list, map); otherwise results are written into the text.
 * @throws TemplateError (code `EXPRESSION_ERROR`) when a name is unknown or evaluation fails.
 */
export function resolveTemplates(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) return value.map((v) => resolveTemplates(v, scope));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = resolveTemplates(v, scope);
    return out;
  }
  return value;
}

/**
 * Evaluates an expression: a bare CEL expression (`inputs.env == "prod"`), one wrapped in
 * `${{ }}`, or text with placeholders (then the result is that text, resolved).
 * @throws TemplateError (code `EXPRESSION_ERROR`).
 */
export function evaluateExpression(source: string, scope: TemplateScope): unknown {
  if (source.includes('${{') || scanTemplate(source).some((s) => s.kind === 'name')) {
    return resolveString(source, scope);
  }
  return evaluateCompiled(source.trim(), scope);
}

/**
 * Evaluates an `if:` condition (bare or `${{ }}`-wrapped); the result must be a boolean (or the
 * text `true`/`false`, which is what a `{{.NAME}}` placeholder produces).
 * @throws TemplateError (code `EXPRESSION_ERROR`) when evaluation fails or the result is not boolean.
 */
export function evaluateCondition(source: string, scope: TemplateScope): boolean {
  const value = evaluateExpression(source, scope);
  if (typeof value === 'boolean') return value;
  // `if: "{{.enabled}}"` renders text; accept its two boolean spellings
  if (value === 'true' || value === 'false') return value === 'true';
  // the value itself is not shown: it may come from a secret
  const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
  throw new TemplateError(source, `condition "${source}" must be true or false, but it is ${kind}`);
}
