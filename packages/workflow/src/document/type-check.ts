import type { z } from 'zod';
import { hasPlaceholders } from '../expressions/template-syntax.js';
import { CHILD_LISTS, CONTROL_CONFIG_SCHEMAS } from './control-steps.js';
import type { ProblemCollector, ValidationCode } from './problems.js';
import { configKeyOf, splitConfigTimeout } from './config-timeout.js';
import { CONTROL_TYPES, isControlType } from './schema.js';
import type { StepSite, StepTree } from './step-sites.js';
import { didYouMean } from './suggest.js';
import type { DescribedIssue } from './zod-issues.js';
import { describeIssues, valueAt } from './zod-issues.js';

/** What validation needs to know about a step type: its config schema. */
export interface StepTypeSchema {
  readonly configSchema: z.ZodType;
}

const CONFIG_CODES: Record<DescribedIssue['kind'], ValidationCode> = {
  'unknown-field': 'UNKNOWN_CONFIG_FIELD',
  'missing-field': 'MISSING_FIELD',
  'wrong-type': 'INVALID_CONFIG',
  'bad-value': 'INVALID_CONFIG',
  'bad-duration': 'BAD_DURATION',
};

/**
 * A value holding `{{.X}}` or `${{ }}` is resolved at run time, so the schema cannot judge it
 * now: issues at (or under) such a value are left to run time.
 */
function isTemplated(config: unknown, path: readonly (string | number)[]): boolean {
  for (let i = 0; i <= path.length; i++) {
    const value = valueAt(config, path.slice(0, i));
    if (typeof value === 'string' && hasPlaceholders(value)) return true;
  }
  return false;
}

function checkConfig(site: StepSite, schema: z.ZodType, problems: ProblemCollector): void {
  const key = configKeyOf(site.raw);
  // `timeout` is the step's timeout, whatever the type (checked in config-timeout.ts)
  const config = splitConfigTimeout(site.raw[key] ?? {}).config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return; // a shape problem, reported already
  const result = schema.safeParse(config);
  if (result.success) return;
  for (const issue of describeIssues(result.error.issues, config, schema)) {
    if (isTemplated(config, issue.path)) continue;
    const path = [...site.path, key, ...issue.path];
    problems.error({
      code: CONFIG_CODES[issue.kind],
      path,
      at: issue.atKey ? 'key' : undefined,
      step: site.id,
      message: `${site.type ?? ''} config: ${issue.message}`,
    });
  }
}

function checkChildLists(site: StepSite, kind: keyof typeof CHILD_LISTS, problems: ProblemCollector): void {
  const rules = CHILD_LISTS[kind];
  for (const list of ['then', 'else', 'tasks']) {
    if (site.raw[list] !== undefined && !rules.allowed.includes(list)) {
      const owners = Object.entries(CHILD_LISTS)
        .filter(([, r]) => r.allowed.includes(list))
        .map(([type]) => `type: ${type}`)
        .join(' or ');
      problems.error({
        code: 'MISPLACED_FIELD',
        path: [...site.path, list],
        at: 'key',
        step: site.id,
        message: `"${list}" belongs to ${owners} steps, not to type: ${site.type ?? '?'}`,
      });
    }
  }
  for (const list of rules.required) {
    if (site.raw[list] === undefined) {
      problems.error({
        code: 'MISSING_FIELD',
        path: site.path,
        step: site.id,
        message: `a ${kind} step needs "${list}" (the list of steps it runs)`,
      });
    }
  }
}

/**
 * Checks each step's type and config: control steps always; catalogue types only when a
 * registry is given (unknown types are errors then, and config is checked against the schema).
 */
export function checkStepTypes(
  tree: StepTree,
  problems: ProblemCollector,
  registry: ReadonlyMap<string, StepTypeSchema> | undefined,
): void {
  for (const site of tree.sites) {
    const type = site.type;
    if (type === undefined) continue; // missing type: a shape problem, reported already
    if (isControlType(type)) {
      checkChildLists(site, type, problems);
      checkConfig(site, CONTROL_CONFIG_SCHEMAS[type], problems);
      continue;
    }
    checkChildLists(site, 'step', problems);
    if (registry === undefined) continue;
    const stepType = registry.get(type);
    if (stepType === undefined) {
      const known = [...registry.keys(), ...CONTROL_TYPES];
      problems.error({
        code: 'UNKNOWN_STEP_TYPE',
        path: [...site.path, 'type'],
        step: site.id,
        message: `unknown step type "${type}"${didYouMean(type, known)}; known types: ${known.sort().join(', ')}`,
      });
      continue;
    }
    checkConfig(site, stepType.configSchema, problems);
  }
}
