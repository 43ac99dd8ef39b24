import type { CompiledWorkflow, ProbeJobSpec, ProbeStepSpec, RetryPolicy, StepNode } from '../model.js';
import type { SourceMap } from '../document/source-map.js';
import { PROBE_ACTIONS } from './actions/index.js';
import { withDefaults } from './defaults.js';
import { parseProbeDuration } from './duration.js';
import { stepIds } from './job-ids.js';
import type { ProbeJobDocument, ProbeStepDocument, ProbeWorkflowDocument } from './schema.js';

/** Probe's default step timeout (each attempt of the action). */
const STEP_TIMEOUT_MS = 5 * 60_000;
/** Retries are probe's own (`ProbeStepSpec.retry`); the engine's policy tries once. */
const ONCE: RetryPolicy = { attempts: 1, delayMs: 0, backoff: 'fixed', maxDelayMs: 0 };

const ms = (value: string | number | undefined, fallback = 0): number =>
  value === undefined ? fallback : (parseProbeDuration(value) ?? fallback);

/** An expression as text: `true`, `1` and `'"x"'` are expressions too. */
const expressionText = (value: string | number | boolean): string => String(value);

interface CompileContext {
  source: SourceMap;
  /** Where the job is in the document (`['jobs', 2]`), for locations. */
  path: readonly (string | number)[];
}

function compileStep(
  step: ProbeStepDocument,
  id: string,
  job: Pick<ProbeJobDocument, 'defaults'>,
  ctx: CompileContext & { index: number },
): StepNode {
  const action = PROBE_ACTIONS.get(step.uses);
  const spec: ProbeStepSpec = {
    kind: 'step',
    action: step.uses,
    with: withDefaults(job.defaults?.[step.uses], step.with),
    test: step.test === undefined ? undefined : expressionText(step.test),
    echo: step.echo,
    skipif: step.skipif === undefined ? undefined : expressionText(step.skipif),
    outputs: Object.fromEntries(Object.entries(step.outputs ?? {}).map(([k, v]) => [k, expressionText(v)])),
    publishAs: step.id,
    vars: step.vars ?? {},
    iteration: step.iteration,
    waitMs: ms(step.wait),
    retry:
      step.retry === undefined
        ? undefined
        : {
            maxAttempts: step.retry.max_attempts,
            intervalMs: ms(step.retry.interval),
            initialDelayMs: ms(step.retry.initial_delay),
          },
  };
  return {
    id,
    name: step.name ?? step.id ?? step.uses,
    type: action?.stepType ?? `probe-${step.uses}`,
    config: {},
    needs: [],
    timeoutMs: ms(step.timeout, STEP_TIMEOUT_MS),
    retry: ONCE,
    continueOnError: false,
    onInterrupt: 'fail',
    outputs: {},
    location: ctx.source.locate([...ctx.path, 'steps', ctx.index]),
    probe: spec,
  };
}

/** A job (of the workflow, or a job file run by `embedded`) as a `probe-job` node. */
export function compileProbeJob(
  job: Pick<ProbeJobDocument, 'name' | 'steps' | 'defaults' | 'skipif' | 'repeat' | 'needs'>,
  id: string,
  ctx: CompileContext,
): StepNode {
  const ids = stepIds(job.steps);
  const spec: ProbeJobSpec = {
    kind: 'job',
    skipif: job.skipif === undefined ? undefined : expressionText(job.skipif),
    repeat:
      job.repeat === undefined
        ? undefined
        : { count: job.repeat.count, intervalMs: ms(job.repeat.interval), async: job.repeat.async ?? false },
  };
  return {
    id,
    name: job.name,
    type: 'probe-job',
    config: {},
    needs: job.needs ?? [],
    // a job has no deadline of its own: each step has its timeout
    timeoutMs: 0,
    retry: ONCE,
    continueOnError: false,
    onInterrupt: 'fail',
    outputs: {},
    tasks: job.steps.map((step, index) => compileStep(step, ids[index] ?? `step_${index}`, job, { ...ctx, index })),
    location: ctx.source.locate(ctx.path),
    probe: spec,
  };
}

/**
 * Turns a valid probe document into the engine's model: each job a `probe-job` node whose
 * `tasks` are its steps, jobs gated by `needs` with `afterFailure: 'skip-dependents'`, no run
 * deadline (probe has none), and the top-level `vars` kept as written for the run to evaluate.
 */
export function compileProbe(
  doc: ProbeWorkflowDocument,
  ctx: { source: SourceMap; jobIds: readonly string[] },
): CompiledWorkflow {
  return {
    name: doc.name,
    description: doc.description,
    timeoutMs: 0,
    variables: {},
    inputs: {},
    secrets: doc.secrets ?? [],
    onFailure: 'stop',
    steps: doc.jobs.map((job, j) =>
      compileProbeJob(job, ctx.jobIds[j] ?? job.name, { source: ctx.source, path: ['jobs', j] }),
    ),
    finally: [],
    afterFailure: 'skip-dependents',
    probe: { vars: doc.vars ?? {} },
  };
}
