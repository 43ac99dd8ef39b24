import { evaluateCondition } from '../expressions/evaluate.js';
import type { StepPhase } from '../journal/journal-record.js';
import type { StepNode } from '../model.js';
import { runBlock } from './block.js';
import { runForeach, runGroup, runIf, runParallel, runWorkflowCall } from './control-steps.js';
import type { Executor, NodeOutcome } from './executor.js';
import { runLeaf } from './leaf-step.js';
import { isFatal } from './run-context.js';
import type { RunContext } from './run-context.js';
import { abortSkipReason } from './skip-reason.js';
import { abortKindOf, failureOf } from './step-failure.js';
import type { StepFrame } from './step-frame.js';
import { runProbeJob } from '../probe/runtime/probe-job.js';
import { runProbeStep } from '../probe/runtime/probe-step.js';

/**
 * Runs one step of any kind: a step the journal settled is taken over as it was; otherwise its
 * `if:` decides, then the control step or step type runs it.
 */
async function runNode(
  exec: Executor,
  node: StepNode,
  frame: StepFrame,
  phase: StepPhase,
  key: string,
): Promise<NodeOutcome> {
  const { run } = exec;
  const replay = run.init.replay.steps.get(key);
  if (replay?.kind === 'finished') {
    run.adopt(node, frame, key);
    return { status: replay.record.status, fatal: isFatal(node, replay.record.status) };
  }
  if (run.signal(phase).aborted) {
    if (run.fatal !== undefined) throw run.fatal.error;
    await run.skip(node, key, frame, phase, abortSkipReason(abortKindOf(run.signal(phase))));
    return { status: 'skipped', fatal: false };
  }
  const target = { node, key, frame, phase };
  if (node.condition !== undefined) {
    let holds: boolean;
    try {
      holds = evaluateCondition(node.condition, run.scope(frame));
    } catch (err) {
      await run.finish({
        ...target,
        status: 'failed',
        attempt: 0,
        error: { ...failureOf(err).failure, retryable: false },
      });
      return { status: 'failed', fatal: isFatal(node, 'failed') };
    }
    if (!holds) {
      const skipReason = { code: 'CONDITION_FALSE' as const, condition: node.condition };
      await run.finish({ ...target, status: 'skipped', attempt: 0, skipReason });
      return { status: 'skipped', fatal: false };
    }
  }
  // nodes compiled from a probe document run with probe's semantics
  if (node.probe?.kind === 'job') return runProbeJob(exec, target, replay);
  if (node.probe?.kind === 'step') return runProbeStep(exec, target, replay);
  switch (node.type) {
    case 'parallel':
      return runParallel(exec, target, replay);
    case 'group':
      return runGroup(exec, target, replay);
    case 'if':
      return runIf(exec, target, replay);
    case 'foreach':
      return runForeach(exec, target, replay);
    case 'workflow':
      return runWorkflowCall(exec, target, replay);
    default:
      return runLeaf(run, target, replay);
  }
}

/** Wires the recursive operations of one run together. */
export function createExecutor(run: RunContext): Executor {
  const exec: Executor = {
    run,
    runNode: (node, frame, phase, key = frame.keyOf(node)) => runNode(exec, node, frame, phase, key),
    runBlock: (nodes, frame, phase, options) => runBlock(exec, nodes, frame, phase, options),
  };
  return exec;
}
