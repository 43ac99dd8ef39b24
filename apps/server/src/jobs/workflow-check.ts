import { parseDocument } from 'yaml';
import { FlotillaError } from '@flotilla/protocol';
import type { Problem } from '@flotilla/protocol';

/*
 * A deliberately shallow check of a submitted workflow, enough to refuse obvious garbage before a
 * job is accepted. It will be replaced by @flotilla/workflow's validator (line:column errors,
 * step-type config schemas, expressions) once that lands; keep the signature so the swap is local.
 */

type Issues = NonNullable<Problem['errors']>;

/** What the server needs from a workflow it accepted. */
export interface CheckedWorkflow {
  name: string;
}

/**
 * Parses the YAML/JSON text and checks: a mapping with `name`, and a non-empty `tasks` (alias
 * `steps`) list whose items have `name` and `type`; `command` steps need `config.command`
 * (alias `with.command`). Throws `WORKFLOW_INVALID` listing every problem.
 */
export function checkWorkflow(text: string): CheckedWorkflow {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalid(doc.errors.map((e) => ({ path: '', message: e.message, ...(e.linePos?.[0] ?? {}) })));
  }
  const root: unknown = doc.toJS();
  const issues: Issues = [];
  if (!isRecord(root)) throw invalid([{ path: '', message: 'a workflow is a mapping with `name` and `tasks`' }]);

  if (typeof root.name !== 'string' || root.name.trim() === '') issues.push({ path: 'name', message: '`name` is required (a non-empty string)' });
  if (root.tasks !== undefined && root.steps !== undefined) issues.push({ path: 'steps', message: 'use `tasks` or its alias `steps`, not both' });
  const listKey = root.tasks === undefined && root.steps !== undefined ? 'steps' : 'tasks';
  const steps = root[listKey];
  if (!Array.isArray(steps) || steps.length === 0) {
    issues.push({ path: listKey, message: '`tasks` (alias `steps`) must be a non-empty list of steps' });
  } else {
    steps.forEach((step: unknown, index) => {
      checkStep(step, `${listKey}[${index}]`, issues);
    });
  }
  if (issues.length > 0) throw invalid(issues);
  return { name: (root.name as string).trim() };
}

function checkStep(step: unknown, path: string, issues: Issues): void {
  if (!isRecord(step)) {
    issues.push({ path, message: 'a step is a mapping with `name` and `type`' });
    return;
  }
  if (typeof step.name !== 'string' || step.name === '') issues.push({ path: `${path}.name`, message: 'every step needs a `name`' });
  if (typeof step.type !== 'string' || step.type === '') issues.push({ path: `${path}.type`, message: 'every step needs a `type`' });
  if (step.type === 'command') {
    const config = step.config ?? step.with;
    if (!isRecord(config) || config.command === undefined || config.command === '') {
      issues.push({ path: `${path}.config.command`, message: 'a `command` step needs `config.command`' });
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(errors: Issues): FlotillaError {
  return new FlotillaError('WORKFLOW_INVALID', { detail: `The workflow is invalid: ${errors.map((e) => `${e.path || '(document)'}: ${e.message}`).join('; ')}`, errors });
}
