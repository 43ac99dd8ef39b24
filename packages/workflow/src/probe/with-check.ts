import type { ProblemCollector, ValidationCode } from '../document/problems.js';
import type { DocumentPath } from '../document/source-map.js';
import { didYouMean } from '../document/suggest.js';
import { describeIssues, valueAt } from '../document/zod-issues.js';
import type { DescribedIssue } from '../document/zod-issues.js';
import type { ProbeAction } from './actions/action.js';

const CODES: Record<DescribedIssue['kind'], ValidationCode> = {
  'unknown-field': 'UNKNOWN_CONFIG_FIELD',
  'missing-field': 'MISSING_FIELD',
  'wrong-type': 'INVALID_CONFIG',
  'bad-value': 'INVALID_CONFIG',
  'bad-duration': 'BAD_DURATION',
};

/** A value holding `{{ }}` is known only once rendered: the schema judges it at run time. */
function isTemplated(input: unknown, path: readonly (string | number)[]): boolean {
  for (let i = 0; i <= path.length; i++) {
    const value = valueAt(input, path.slice(0, i));
    if (typeof value === 'string' && value.includes('{{')) return true;
  }
  return false;
}

export interface WithSite {
  action: ProbeAction;
  /** `with` merged over the job's defaults. */
  input: Record<string, unknown>;
  /** Where the step's own `with` is, and where the job's defaults for the action are. */
  withPath: DocumentPath;
  defaultsPath: DocumentPath;
  ownKeys: ReadonlySet<string>;
  step: string;
}

/** Checks a step's `with` against its action: fields Flotilla does not run, then the shape. */
export function checkWith(site: WithSite, problems: ProblemCollector): void {
  const pathOf = (key: string, rest: readonly (string | number)[] = []): DocumentPath =>
    site.ownKeys.has(key) ? [...site.withPath, key, ...rest] : [...site.defaultsPath, key, ...rest];
  const known: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(site.input)) {
    const why = site.action.unsupportedFields[key];
    if (why === undefined) known[key] = value;
    else {
      problems.error({
        code: 'UNSUPPORTED_FIELD',
        path: pathOf(key),
        at: 'key',
        step: site.step,
        message: `${site.action.name}: "${key}" is not supported: ${why}`,
      });
    }
  }
  const parsed = site.action.withSchema.safeParse(known);
  if (parsed.success) return;
  for (const issue of describeIssues(parsed.error.issues, known, site.action.withSchema)) {
    if (isTemplated(known, issue.path)) continue;
    const [head, ...rest] = issue.path;
    const path = head === undefined ? site.withPath : pathOf(String(head), rest);
    problems.error({
      code: CODES[issue.kind],
      path,
      at: issue.atKey ? 'key' : undefined,
      step: site.step,
      message: `${site.action.name} with: ${issue.message}`,
    });
  }
}

/** The name of an action that is close to `name`, for a typo in `uses`. */
export function actionHint(name: string, known: Iterable<string>): string {
  return didYouMean(name, known);
}
