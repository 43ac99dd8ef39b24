import { parseDuration } from '@flotilla/protocol';
import type { CompiledWorkflow, InputSpec, RetryPolicy, StepNode } from '../model.js';
import { splitConfigTimeout } from './config-timeout.js';
import type { ResolvedNeeds } from './graph-check.js';
import type { InputDocument, RollbackDocument, StepDocument, WorkflowDocument } from './schema.js';
import type { DocumentPath, SourceMap } from './source-map.js';

/** Defaults of SPEC §5.1, applied when a document does not say otherwise. */
export const WORKFLOW_DEFAULTS = {
  /** Deadline of a whole run. */
  runTimeout: '1h',
  /** Deadline of one try of a step. */
  stepTimeout: '5m',
  retryDelay: '1s',
  retryMaxDelay: '5m',
} as const;

/** A validated duration (text or seconds) in milliseconds. */
function toMs(value: string | number | undefined, fallback: string): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  return parseDuration(value ?? fallback) ?? 0;
}

function compileRetry(retry: StepDocument['retry']): RetryPolicy {
  return {
    attempts: retry?.attempts ?? 1,
    delayMs: toMs(retry?.delay, WORKFLOW_DEFAULTS.retryDelay),
    backoff: retry?.backoff ?? 'fixed',
    maxDelayMs: toMs(retry?.max_delay, WORKFLOW_DEFAULTS.retryMaxDelay),
  };
}

function compileInput(input: InputDocument): InputSpec {
  return {
    type: input.type ?? 'string',
    description: input.description,
    required: input.required ?? false,
    ...(input.default === undefined ? {} : { default: input.default }),
    enum: input.enum,
  };
}

interface CompileContext {
  source: SourceMap;
  needs: ResolvedNeeds;
}

function compileStep(
  step: StepDocument | RollbackDocument,
  path: DocumentPath,
  ctx: CompileContext,
  fallback?: { id: string; name: string },
): StepNode {
  const name = step.name ?? fallback?.name ?? step.type;
  const id = step.id ?? step.name ?? fallback?.id ?? step.type;
  const children = (key: 'then' | 'else' | 'tasks'): StepNode[] | undefined =>
    step[key]?.map((child, i) => compileStep(child, [...path, key, i], ctx));
  // validated: a duration, and only when the step does not set `timeout` itself
  const config = splitConfigTimeout(step.config ?? step.with ?? {}) as {
    config: Record<string, unknown>;
    timeout: string | number | undefined;
  };
  const node: StepNode = {
    id,
    name,
    type: step.type,
    config: config.config,
    needs: ctx.needs.at(path),
    condition: step.if === undefined ? undefined : String(step.if),
    timeoutMs: toMs(step.timeout ?? config.timeout, WORKFLOW_DEFAULTS.stepTimeout),
    retry: compileRetry(step.retry),
    continueOnError: step.continue_on_error ?? false,
    onInterrupt: step.on_interrupt ?? 'fail',
    effect: step.effect,
    outputs: step.outputs ?? {},
    then: children('then'),
    else: children('else'),
    tasks: children('tasks'),
    location: ctx.source.locate(path),
  };
  if ('rollback' in step && step.rollback !== undefined) {
    node.rollback = compileStep(step.rollback, [...path, 'rollback'], ctx, {
      id: `${id}-rollback`,
      name: `${name} (rollback)`,
    });
  }
  return node;
}

/** Turns a valid document into the engine's model: aliases resolved, defaults applied, ms durations. */
export function compileWorkflow(doc: WorkflowDocument, ctx: CompileContext): CompiledWorkflow {
  const listKey = doc.tasks === undefined && doc.steps !== undefined ? 'steps' : 'tasks';
  const inputs: Record<string, InputSpec> = {};
  for (const [name, input] of Object.entries(doc.inputs ?? {})) inputs[name] = compileInput(input);
  return {
    name: doc.name,
    description: doc.description,
    timeoutMs: toMs(doc.timeout, WORKFLOW_DEFAULTS.runTimeout),
    variables: doc.variables ?? doc.vars ?? {},
    inputs,
    secrets: doc.secrets ?? [],
    onFailure: doc.on_failure ?? 'stop',
    steps: (doc[listKey] ?? []).map((step, i) => compileStep(step, [listKey, i], ctx)),
    finally: (doc.finally ?? []).map((step, i) => compileStep(step, ['finally', i], ctx)),
    ...(doc.outputs === undefined ? {} : { outputs: doc.outputs }),
    ...(doc.layout === undefined ? {} : { layout: doc.layout }),
    ...(doc.after_failure === undefined ? {} : { afterFailure: doc.after_failure }),
  };
}
