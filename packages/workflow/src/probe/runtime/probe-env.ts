import type { ProbeResult } from '../actions/action.js';
import { formatGoDuration } from '../duration.js';
import { compileProbeExpression, renderProbeTemplate, renderProbeTemplates } from '../expression/index.js';
import type { ProbeScope } from './probe-scope.js';

/** What probe expressions read before a step's action runs: `vars`, `outputs`, `repeat_index`. */
export type ProbeEnv = Readonly<Record<string, unknown>>;

export function baseEnv(scope: ProbeScope, vars: Readonly<Record<string, unknown>>): ProbeEnv {
  return { vars, outputs: scope.outputs.view(), repeat_index: scope.repeatIndex };
}

/** The same, with the action's result model: `res`, `req`, `rt` and `status`. */
export function resultEnv(base: ProbeEnv, result: ProbeResult, durationMs: number): ProbeEnv {
  const rt = { duration: formatGoDuration(durationMs), sec: durationMs / 1000 };
  return { ...base, res: result.res, req: result.req, rt, status: result.status };
}

/**
 * A step's `vars` over the workflow's: its own rendered first (they read the workflow's `vars`
 * and `outputs`), then the entry of `iteration` it runs for.
 */
export function stepVars(
  scope: ProbeScope,
  own: Readonly<Record<string, unknown>>,
  iteration: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const env = baseEnv(scope, scope.vars);
  const rendered = renderProbeTemplates(own, env) as Record<string, unknown>;
  const entry = iteration === undefined ? {} : (renderProbeTemplates(iteration, env) as Record<string, unknown>);
  return { ...scope.vars, ...rendered, ...entry };
}

/** Evaluates an expression that must be true or false (`test`, `skipif`). */
export function evaluateBoolean(source: string, env: ProbeEnv): boolean {
  const value = compileProbeExpression(source).evaluate(env);
  if (typeof value !== 'boolean') {
    const kind = value === null || value === undefined ? 'nil' : Array.isArray(value) ? 'a list' : typeof value;
    throw new Error(`"${source}" must be true or false, but it is ${kind}`);
  }
  return value;
}

/** A template as text (a name, an `echo`). */
export function renderText(text: string, env: ProbeEnv): string {
  const value = renderProbeTemplate(text, env);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return value === null || value === undefined ? '' : JSON.stringify(value);
}
