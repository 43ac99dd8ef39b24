import { formatPath } from '../../document/problems.js';
import { parseSource } from '../../document/source-map.js';
import { describeIssues } from '../../document/zod-issues.js';
import { WORKFLOW_LIMITS } from '../../document/limits.js';
import type { StepNode } from '../../model.js';
import { compileProbeJob } from '../compile-probe.js';
import { ProbeJobFileSchema } from '../schema.js';

/**
 * A job file run by the `embedded` action, compiled when the step runs (its path may be a
 * template). A file that does not parse or is not a job is the step's failure, naming the first
 * problem at its line and column in that file.
 */
export function compileJobFile(text: string, path: string): { job: StepNode } | { error: string } {
  const source = parseSource(text, 'yaml', WORKFLOW_LIMITS.maxDepth);
  const syntax = source.syntaxProblems[0];
  if (syntax !== undefined)
    return { error: `${path}:${syntax.location.line}:${syntax.location.column}: ${syntax.message}` };
  const parsed = ProbeJobFileSchema.safeParse(source.value);
  if (!parsed.success) {
    const issue = describeIssues(parsed.error.issues, source.value, ProbeJobFileSchema)[0];
    const at = source.locate(issue?.path ?? []);
    const where = issue === undefined || issue.path.length === 0 ? '' : ` (${formatPath(issue.path)})`;
    return { error: `${path}:${at.line}:${at.column}: not a job file${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { job: compileProbeJob(parsed.data, 'embedded', { source, path: [] }) };
}
