import { z } from 'zod';
import { CALL_LIMITS } from '../calls/call-types.js';
import { callTargetOf, ForeachConfigSchema, WorkflowCallConfigSchema } from '../document/control-steps.js';
import { evaluateCondition, evaluateExpression, resolveTemplates } from '../expressions/evaluate.js';
import type { StepFailure, StepStatus } from '@flotilla/protocol';
import type { StepPhase } from '../journal/journal-record.js';
import type { StepReplay } from '../journal/journal-replay.js';
import type { StepNode } from '../model.js';
import type { BlockStatus, Executor, NodeOutcome } from './executor.js';
import { worse } from './executor.js';
import { isFatal } from './run-context.js';
import { applyInputs } from './run-inputs.js';
import { failureOf } from './step-failure.js';
import type { StepFrame } from './step-frame.js';

interface Target {
  node: StepNode;
  key: string;
  frame: StepFrame;
  phase: StepPhase;
}

interface ControlResult {
  status: StepStatus;
  outputs?: Record<string, unknown>;
  error?: StepFailure;
}

const BLOCK_FAILURE: Record<Exclude<BlockStatus, 'succeeded'>, StepFailure> = {
  failed: { code: 'STEP_FAILED', message: 'a nested step failed', retryable: false },
  timed_out: { code: 'STEP_TIMEOUT', message: 'a nested step timed out', retryable: false },
  cancelled: { code: 'CANCELLED', message: 'cancelled', retryable: false },
  interrupted: { code: 'INTERRUPTED', message: 'a nested step was interrupted', retryable: false },
};

function fromBlock(status: BlockStatus, outputs: Record<string, unknown> = {}): ControlResult {
  return status === 'succeeded' ? { status, outputs } : { status, outputs, error: BLOCK_FAILURE[status] };
}

function invalid(message: string): ControlResult {
  return { status: 'failed', error: { code: 'CONFIG_INVALID', message, retryable: false } };
}

/**
 * Runs a control step: it is journaled like any step, but it has no effect of its own, so a
 * control step that was in flight at a crash is simply entered again (its children's journal
 * records decide what is repeated). Timeouts and retries apply to the children, not to it.
 */
async function control(
  exec: Executor,
  target: Target,
  replay: StepReplay | undefined,
  body: () => Promise<ControlResult>,
): Promise<NodeOutcome> {
  const { run } = exec;
  const startedAt = run.now();
  if (replay?.kind !== 'in-flight') {
    await run.append({ type: 'step.started', ts: startedAt, step: target.key, attempt: 1 });
    run.emit({
      kind: 'step.started',
      runId: run.runId,
      ts: startedAt,
      step: target.key,
      name: run.stepName(target.node, target.frame),
      attempt: 1,
    });
  }
  let result: ControlResult;
  try {
    result = await body();
  } catch (err) {
    if (run.fatal !== undefined) throw err;
    result = { status: 'failed', error: { ...failureOf(err).failure, retryable: false } };
  }
  await run.finish({ ...target, attempt: 1, startedAt, ...result });
  return { status: result.status, fatal: isFatal(target.node, result.status) };
}

/** `type: parallel`: every task at once, `needs` ignored. */
export function runParallel(exec: Executor, target: Target, replay: StepReplay | undefined): Promise<NodeOutcome> {
  return control(exec, target, replay, async () =>
    fromBlock(
      await exec.runBlock(target.node.tasks ?? [], target.frame.nested(target.key), target.phase, {
        ignoreNeeds: true,
      }),
    ),
  );
}

/** `type: group`: the tasks in order, all of them even after one fails; the group fails when one did. */
export function runGroup(exec: Executor, target: Target, replay: StepReplay | undefined): Promise<NodeOutcome> {
  return control(exec, target, replay, async () =>
    fromBlock(
      await exec.runBlock(target.node.tasks ?? [], target.frame.nested(target.key), target.phase, {
        stopOnFailure: false,
      }),
    ),
  );
}

/** `type: if`: `config.condition` (boolean or expression) picks `then` or `else`. */
export function runIf(exec: Executor, target: Target, replay: StepReplay | undefined): Promise<NodeOutcome> {
  return control(exec, target, replay, async () => {
    const condition = target.node.config.condition;
    if (typeof condition !== 'boolean' && typeof condition !== 'string')
      return invalid('an if step needs config.condition');
    const holds =
      typeof condition === 'boolean' ? condition : evaluateCondition(condition, exec.run.scope(target.frame));
    const branch = holds ? target.node.then : target.node.else;
    const status = await exec.runBlock(branch ?? [], target.frame.nested(target.key), target.phase);
    return fromBlock(status, { branch: holds ? 'then' : 'else' });
  });
}

/** `type: foreach`: the tasks once per item (`item`, `index`), `config.parallel` at a time. */
export function runForeach(exec: Executor, target: Target, replay: StepReplay | undefined): Promise<NodeOutcome> {
  return control(exec, target, replay, async () => {
    const parsed = ForeachConfigSchema.safeParse(resolveTemplates(target.node.config, exec.run.scope(target.frame)));
    if (!parsed.success) return invalid(`invalid foreach config: ${z.prettifyError(parsed.error)}`);
    const { items, parallel } = parsed.data;
    const concurrency = parallel === true ? items.length : parallel === false || parallel === undefined ? 1 : parallel;
    const tasks = target.node.tasks ?? [];
    const frames = items.map((item, index) => target.frame.iterate(target.key, index, item));
    const signal = exec.run.signal(target.phase);
    let status: BlockStatus = 'succeeded';
    let next = 0;
    const worker = async (): Promise<void> => {
      while (status === 'succeeded' && next < frames.length && !signal.aborted) {
        const frame = frames[next++];
        if (frame !== undefined) status = worse(status, await exec.runBlock(tasks, frame, target.phase));
      }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(concurrency, frames.length) }, worker));
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const results = frames.map((frame) =>
      Object.fromEntries(tasks.map((t) => [t.id, frame.steps[t.id]?.outputs ?? null])),
    );
    return fromBlock(status, { count: items.length, results });
  });
}

/**
 * `type: workflow`: runs another workflow's steps (and its `finally`) inside this run, with its
 * own inputs (checked like a run's), variables and step ids. Its outputs are the callee's
 * workflow `outputs`, evaluated in its scope once its steps succeeded, and `steps`: the outputs
 * of each of its steps.
 */
export function runWorkflowCall(exec: Executor, target: Target, replay: StepReplay | undefined): Promise<NodeOutcome> {
  return control(exec, target, replay, async () => {
    const { run } = exec;
    const parsed = WorkflowCallConfigSchema.safeParse(resolveTemplates(target.node.config, run.scope(target.frame)));
    if (!parsed.success) return invalid(`invalid workflow config: ${z.prettifyError(parsed.error)}`);
    const callTarget = callTargetOf(parsed.data);
    if ('problem' in callTarget) return invalid(callTarget.problem);
    const resolve = run.options.resolveWorkflow;
    if (resolve === undefined) return invalid('this host cannot call other workflows (no resolveWorkflow)');
    const called = await resolve(callTarget, target.frame.workflow);
    // hosts refuse cycles and deep chains before the run; this bounds a host that does not
    const chain = [...target.frame.callers, target.frame.workflow.name];
    if (chain.includes(called.name)) return invalid(`workflow cycle: ${[...chain, called.name].join(' → ')}`);
    if (chain.length > CALL_LIMITS.maxDepth) {
      return invalid(`calls nest more than ${CALL_LIMITS.maxDepth} deep: ${[...chain, called.name].join(' → ')}`);
    }
    const frame = target.frame.call(target.key, called, applyInputs(called.inputs, parsed.data.inputs ?? {}));
    let status = await exec.runBlock(called.steps, frame, target.phase);
    if (called.finally.length > 0) {
      status = worse(status, await exec.runBlock(called.finally, frame, 'finally', { stopOnFailure: false }));
    }
    const steps = Object.fromEntries(Object.entries(frame.steps).map(([id, s]) => [id, s.outputs]));
    if (status !== 'succeeded') {
      const failure = BLOCK_FAILURE[status];
      return {
        status,
        outputs: { steps },
        error: { ...failure, message: `workflow "${called.name}": ${failure.message}` },
      };
    }
    const outputs: Record<string, unknown> = {};
    for (const [name, expression] of Object.entries(called.outputs ?? {})) {
      outputs[name] = evaluateExpression(expression, run.scope(frame));
    }
    return { status, outputs: { ...outputs, steps } };
  });
}
