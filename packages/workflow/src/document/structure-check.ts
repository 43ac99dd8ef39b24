import type { ProblemCollector, ValidationCode } from './problems.js';
import { WorkflowDocumentSchema } from './schema.js';
import type { WorkflowDocument } from './schema.js';
import type { StepTree } from './step-sites.js';
import { stepAt } from './step-sites.js';
import type { DescribedIssue } from './zod-issues.js';
import { describeIssues } from './zod-issues.js';

const CODES: Record<DescribedIssue['kind'], ValidationCode> = {
  'unknown-field': 'UNKNOWN_FIELD',
  'missing-field': 'MISSING_FIELD',
  'wrong-type': 'INVALID_TYPE',
  'bad-value': 'INVALID_VALUE',
  'bad-duration': 'BAD_DURATION',
};

/** Alias → canonical name, at the workflow level and the step level. */
const WORKFLOW_ALIASES = [
  ['vars', 'variables'],
  ['steps', 'tasks'],
] as const;
const STEP_ALIASES = [['with', 'config']] as const;

function checkAliases(
  raw: Record<string, unknown>,
  path: readonly (string | number)[],
  aliases: readonly (readonly [string, string])[],
  problems: ProblemCollector,
  step?: string,
): void {
  for (const [alias, canonical] of aliases) {
    if (raw[alias] !== undefined && raw[canonical] !== undefined) {
      problems.error({
        code: 'DUPLICATE_FIELD',
        path: [...path, alias],
        at: 'key',
        step,
        message: `"${alias}" is another name for "${canonical}"; use one of them, not both`,
      });
    }
  }
}

/**
 * Checks the document's shape against the schema (unknown and missing fields, wrong types,
 * durations, enums) and the alias rules. Returns the parsed document when the shape is right.
 */
export function checkStructure(
  value: unknown,
  tree: StepTree,
  problems: ProblemCollector,
): WorkflowDocument | undefined {
  const parsed = WorkflowDocumentSchema.safeParse(value);
  if (!parsed.success) {
    for (const issue of describeIssues(parsed.error.issues, value, WorkflowDocumentSchema)) {
      problems.error({
        code: CODES[issue.kind],
        path: issue.path,
        at: issue.atKey ? 'key' : undefined,
        step: stepAt(tree, issue.path)?.id,
        message: issue.message,
      });
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const raw = value as Record<string, unknown>;
    checkAliases(raw, [], WORKFLOW_ALIASES, problems);
    if (raw.tasks === undefined && raw.steps === undefined) {
      problems.error({
        code: 'MISSING_FIELD',
        path: [],
        message: 'missing required field "tasks" (the list of steps)',
      });
    }
  }
  for (const site of tree.sites) checkAliases(site.raw, site.path, STEP_ALIASES, problems, site.id);
  return parsed.success ? parsed.data : undefined;
}
