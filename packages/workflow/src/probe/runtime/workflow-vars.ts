import { renderProbeTemplates } from '../expression/index.js';

/** Why the workflow's `vars` could not be evaluated: the run stops before its first job. */
export class ProbeVarsError extends Error {
  readonly code = 'EXPRESSION_ERROR' as const;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ProbeVarsError';
  }
}

const VAR_REFERENCE = /\bvars\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*(['"])([^'"]*)\2\s*\])/g;

/** The vars a value's templates read by a name written in the text (`vars.a`, `vars['a']`). */
function readsOf(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(VAR_REFERENCE)) out.add(m[1] ?? m[3] ?? '');
  } else if (Array.isArray(value)) value.forEach((item) => readsOf(item, out));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((item) => readsOf(item, out));
  return out;
}

/**
 * Evaluates a probe document's top-level `vars` once, at the start of a run: their templates
 * read the environment by bare name (`{{TOKEN ?? 'secret'}}`) and other vars as `vars.<name>`,
 * each var after those it reads. A cycle, or a template that fails, is a `ProbeVarsError`.
 */
export function evaluateWorkflowVars(
  vars: Readonly<Record<string, unknown>>,
  environment: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const done: Record<string, unknown> = {};
  const visiting: string[] = [];
  const evaluate = (name: string): void => {
    if (Object.hasOwn(done, name) || !Object.hasOwn(vars, name)) return;
    if (visiting.includes(name)) {
      throw new ProbeVarsError(
        `vars: circular reference: ${[...visiting.slice(visiting.indexOf(name)), name].join(' -> ')}`,
      );
    }
    visiting.push(name);
    for (const read of readsOf(vars[name])) evaluate(read);
    visiting.pop();
    try {
      done[name] = renderProbeTemplates(vars[name], { ...environment, vars: { ...done } });
    } catch (err) {
      throw new ProbeVarsError(`vars.${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  for (const name of Object.keys(vars)) evaluate(name);
  return done;
}
