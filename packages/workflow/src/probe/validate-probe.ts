import type { z } from 'zod';
import type { CompiledWorkflow } from '../model.js';
import { WORKFLOW_LIMITS } from '../document/limits.js';
import type { ProblemCollector, ValidationCode } from '../document/problems.js';
import type { DocumentPath, SourceMap } from '../document/source-map.js';
import { isRecord } from '../document/step-sites.js';
import { didYouMean } from '../document/suggest.js';
import type { DescribedIssue } from '../document/zod-issues.js';
import { describeIssues } from '../document/zod-issues.js';
import { PROBE_ACTIONS, UNSUPPORTED_ACTIONS } from './actions/index.js';
import { compileProbe } from './compile-probe.js';
import { withDefaults } from './defaults.js';
import { AFTER_ACTION, BEFORE_ACTION, JOB_NAMES, ProbeExpressionChecker } from './expression-check.js';
import { jobIds } from './job-ids.js';
import { checkProbeNeeds } from './needs-check.js';
import { ProbeWorkflowSchema, UNSUPPORTED_WORKFLOW_FIELDS } from './schema.js';
import { checkWith } from './with-check.js';

const CODES: Record<DescribedIssue['kind'], ValidationCode> = {
  'unknown-field': 'UNKNOWN_FIELD',
  'missing-field': 'MISSING_FIELD',
  'wrong-type': 'INVALID_TYPE',
  'bad-value': 'INVALID_VALUE',
  'bad-duration': 'BAD_DURATION',
};

export interface ValidateProbeOptions {
  /** Known step types (the step registry): an action whose step type is missing is refused. */
  steps?: ReadonlyMap<string, { readonly configSchema: z.ZodType }> | undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The shape: unknown and missing fields, wrong types, durations; probe fields Flotilla does not run. */
function checkShape(value: unknown, problems: ProblemCollector): z.infer<typeof ProbeWorkflowSchema> | undefined {
  const parsed = ProbeWorkflowSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of describeIssues(parsed.error.issues, value, ProbeWorkflowSchema)) {
    const key = issue.path[issue.path.length - 1];
    const why = issue.path.length === 1 && typeof key === 'string' ? UNSUPPORTED_WORKFLOW_FIELDS[key] : undefined;
    if (issue.kind === 'unknown-field' && why !== undefined) {
      problems.error({ code: 'UNSUPPORTED_FIELD', path: issue.path, at: 'key', message: `"${key}": ${why}` });
      continue;
    }
    const step =
      issue.path[0] === 'jobs' && typeof issue.path[1] === 'number' ? jobLabel(value, issue.path) : undefined;
    problems.error({
      code: CODES[issue.kind],
      path: issue.path,
      at: issue.atKey ? 'key' : undefined,
      step,
      message: issue.message,
    });
  }
  return undefined;
}

/** `job` or `job/step` for a problem inside a job, from the raw document. */
function jobLabel(value: unknown, path: DocumentPath): string | undefined {
  if (!isRecord(value)) return undefined;
  const jobs = list(value.jobs);
  const index = typeof path[1] === 'number' ? path[1] : -1;
  const job = jobs[index];
  if (!isRecord(job)) return undefined;
  const id = jobIds(jobs.map((j) => (isRecord(j) ? j : {})))[index];
  if (path[2] !== 'steps' || typeof path[3] !== 'number') return id;
  const step = list(job.steps)[path[3]];
  const stepId = isRecord(step) && typeof step.id === 'string' ? step.id : `step_${path[3]}`;
  return `${id ?? ''}/${stepId}`;
}

/** One step: its action and `with`, its expressions and templates. */
function checkStep(
  raw: Record<string, unknown>,
  context: { job: Record<string, unknown>; path: DocumentPath; label: string; defaultsPath: DocumentPath },
  checker: ProbeExpressionChecker,
  problems: ProblemCollector,
  options: ValidateProbeOptions,
): void {
  const { path, label } = context;
  const before = { step: label, names: BEFORE_ACTION };
  const after = { step: label, names: AFTER_ACTION };
  if (typeof raw.name === 'string') checker.template(raw.name, { ...before, path: [...path, 'name'] });
  checker.templates(raw.vars, { ...before, path: [...path, 'vars'] });
  list(raw.iteration).forEach((entry, i) => checker.templates(entry, { ...before, path: [...path, 'iteration', i] }));
  if (typeof raw.skipif === 'string') checker.expression(raw.skipif, { ...before, path: [...path, 'skipif'] });
  if (typeof raw.test === 'string') checker.expression(raw.test, { ...after, path: [...path, 'test'] });
  if (typeof raw.echo === 'string') checker.template(raw.echo, { ...after, path: [...path, 'echo'] });
  if (isRecord(raw.outputs)) {
    for (const [name, expression] of Object.entries(raw.outputs)) {
      if (typeof expression === 'string')
        checker.expression(expression, { ...after, path: [...path, 'outputs', name] });
    }
    if (typeof raw.id !== 'string') {
      problems.warning({
        code: 'MISSING_FIELD',
        path: [...path, 'outputs'],
        at: 'key',
        step: label,
        message: 'a step without an "id" publishes no outputs (probe discards them); give the step an id',
      });
    }
  }
  const uses = raw.uses;
  if (typeof uses !== 'string') return;
  const action = PROBE_ACTIONS.get(uses);
  if (action === undefined) {
    const why = UNSUPPORTED_ACTIONS[uses];
    problems.error({
      code: why === undefined ? 'UNKNOWN_ACTION' : 'UNSUPPORTED_ACTION',
      path: [...path, 'uses'],
      step: label,
      message:
        why === undefined
          ? `unknown action "${uses}"${didYouMean(uses, PROBE_ACTIONS.keys())}; Flotilla runs ${[...PROBE_ACTIONS.keys()].join(', ')}`
          : `the "${uses}" action is not supported: ${why}`,
    });
    return;
  }
  if (action.stepType !== undefined && options.steps !== undefined && !options.steps.has(action.stepType)) {
    problems.error({
      code: 'UNSUPPORTED_ACTION',
      path: [...path, 'uses'],
      step: label,
      message: `the "${uses}" action needs the ${action.stepType} step type, which this host does not have`,
    });
    return;
  }
  const defaults = isRecord(context.job.defaults) ? context.job.defaults[uses] : undefined;
  const input = withDefaults(defaults, raw.with);
  checker.templates(input, { ...before, path: [...path, 'with'] });
  checkWith(
    {
      action,
      input,
      withPath: [...path, 'with'],
      defaultsPath: [...context.defaultsPath, uses],
      ownKeys: new Set(isRecord(raw.with) ? Object.keys(raw.with) : []),
      step: label,
    },
    problems,
  );
}

/**
 * Validates a document in linyows/probe's format and compiles it, with the problems at their
 * line and column (the same source map, codes and collector as Flotilla documents).
 */
export function validateProbe(
  source: SourceMap,
  problems: ProblemCollector,
  options: ValidateProbeOptions = {},
): CompiledWorkflow | undefined {
  const doc = isRecord(source.value) ? source.value : {};
  const jobs = list(doc.jobs).map((job) => (isRecord(job) ? job : {}));
  const stepCount = jobs.reduce((sum, job) => sum + list(job.steps).length, 0);
  if (stepCount > WORKFLOW_LIMITS.maxSteps) {
    problems.error({
      code: 'TOO_MANY_STEPS',
      path: ['jobs'],
      message: `the document has ${stepCount} steps; at most ${WORKFLOW_LIMITS.maxSteps} are allowed`,
    });
    return undefined;
  }
  const parsed = checkShape(source.value, problems);
  const checker = new ProbeExpressionChecker(source, problems);
  checker.templates(doc.vars, { path: ['vars'], names: 'any' });
  const ids = jobIds(jobs);
  jobs.forEach((job, j) => {
    const jobPath = ['jobs', j];
    const jobId = ids[j] ?? '';
    if (typeof job.name === 'string')
      checker.template(job.name, { path: [...jobPath, 'name'], step: jobId, names: JOB_NAMES });
    if (typeof job.skipif === 'string') {
      checker.expression(job.skipif, { path: [...jobPath, 'skipif'], step: jobId, names: JOB_NAMES });
    }
    list(job.steps).forEach((step, s) => {
      if (!isRecord(step)) return;
      const label = `${jobId}/${typeof step.id === 'string' ? step.id : `step_${s}`}`;
      checkStep(
        step,
        { job, path: [...jobPath, 'steps', s], label, defaultsPath: [...jobPath, 'defaults'] },
        checker,
        problems,
        options,
      );
    });
  });
  checkProbeNeeds(jobs, ids, problems);
  if (parsed === undefined || problems.hasErrors) return undefined;
  return compileProbe(parsed, { source, jobIds: ids });
}
