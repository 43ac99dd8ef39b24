import type { StepFailure, StepStatus } from '@flotilla/protocol';
import type { SkipReason } from '../../engine/engine-events.js';
import type { BlockStatus, Executor, NodeOutcome } from '../../engine/executor.js';
import { worse } from '../../engine/executor.js';
import { isFatal } from '../../engine/run-context.js';
import type { StepFrame } from '../../engine/step-frame.js';
import type { StepPhase } from '../../journal/journal-record.js';
import type { StepReplay } from '../../journal/journal-replay.js';
import type { ProbeJobSpec, StepNode } from '../../model.js';
import { evaluateBoolean, renderText } from './probe-env.js';
import type { ProbeScope } from './probe-scope.js';
import { runProbeJobSteps } from './job-steps.js';

interface Target {
  node: StepNode;
  key: string;
  frame: StepFrame;
  phase: StepPhase;
}

const FAILURES: Record<Exclude<BlockStatus, 'succeeded'>, StepFailure> = {
  failed: { code: 'STEP_FAILED', message: 'a step of the job failed', retryable: false },
  timed_out: { code: 'STEP_TIMEOUT', message: 'a step of the job timed out', retryable: false },
  cancelled: { code: 'CANCELLED', message: 'cancelled', retryable: false },
  interrupted: { code: 'INTERRUPTED', message: 'a step of the job was interrupted', retryable: false },
};

/** The steps of one run of the job, under `prefix`, with `repeat_index` and its own outputs layer. */
function runOnce(exec: Executor, target: Target, scope: ProbeScope, index: number | undefined): Promise<BlockStatus> {
  const prefix = index === undefined ? `${target.key}/` : `${target.key}[${index}]/`;
  const runScope: ProbeScope =
    index === undefined ? scope : { ...scope, outputs: scope.outputs.layer(), repeatIndex: index };
  return runProbeJobSteps(exec, target.node, target.frame.probeRun(prefix, runScope), target.phase);
}

/** `repeat`: `count` runs, `interval` apart; `async` starts each without waiting for the one before. */
async function runRepeated(
  exec: Executor,
  target: Target,
  scope: ProbeScope,
  spec: NonNullable<ProbeJobSpec['repeat']>,
): Promise<BlockStatus> {
  const { run } = exec;
  const signal = run.signal(target.phase);
  const pause = async (): Promise<void> => {
    const wait = run.linkedSignal(target.phase);
    await run.options.clock.sleep(spec.intervalMs, wait.controller.signal).catch(() => undefined);
    wait.dispose();
  };
  let status: BlockStatus = 'succeeded';
  const pending: Promise<BlockStatus>[] = [];
  for (let index = 0; index < spec.count && !signal.aborted; index++) {
    if (index > 0 && spec.intervalMs > 0) await pause();
    const once = runOnce(exec, target, scope, index);
    if (spec.async) pending.push(once);
    else status = worse(status, await once);
  }
  for (const settled of await Promise.allSettled(pending)) {
    if (settled.status === 'rejected') throw settled.reason;
    status = worse(status, settled.value);
  }
  return status;
}

/**
 * Runs a probe job (`type: 'probe-job'`): skipped when its `skipif` holds, else its steps in
 * order, all of them even after one fails, once or `repeat.count` times. Journaled like a
 * control step; the job fails when one of its steps failed.
 */
export async function runProbeJob(
  exec: Executor,
  target: Target,
  replay: StepReplay | undefined,
): Promise<NodeOutcome> {
  const { run } = exec;
  const { node, key, frame, phase } = target;
  const spec = node.probe as ProbeJobSpec;
  const scope = frame.probe;
  if (scope === undefined) throw new Error('a probe job runs in a workflow compiled from a probe document');
  const env = { vars: scope.vars, outputs: scope.outputs.view() };
  let shown = node;
  const end = async (
    status: StepStatus,
    extra: { error?: StepFailure; startedAt?: number; skipReason?: SkipReason } = {},
  ): Promise<NodeOutcome> => {
    await run.finish({ ...target, node: shown, status, attempt: 1, outputs: {}, ...extra });
    return { status, fatal: isFatal(node, status) };
  };
  try {
    shown = { ...node, name: renderText(node.name, env) };
  } catch (err) {
    const message = `job name: ${err instanceof Error ? err.message : String(err)}`;
    return end('failed', { error: { code: 'EXPRESSION_ERROR', message, retryable: false } });
  }
  if (spec.skipif !== undefined) {
    let skip = false;
    try {
      skip = evaluateBoolean(spec.skipif, env);
    } catch {
      // as for a step: a skipif that cannot be evaluated does not skip
    }
    if (skip) {
      const inner = frame.probeRun(`${key}/`, scope);
      const reason = { code: 'CONDITION_FALSE' as const, condition: `skipif: ${spec.skipif}` };
      await Promise.all((node.tasks ?? []).map((child) => run.skip(child, inner.keyOf(child), inner, phase, reason)));
      return end('skipped', { skipReason: reason });
    }
  }
  const startedAt = run.now();
  if (replay?.kind !== 'in-flight') {
    await run.append({ type: 'step.started', ts: startedAt, step: key, attempt: 1 });
    run.emit({ kind: 'step.started', runId: run.runId, ts: startedAt, step: key, name: shown.name, attempt: 1 });
  }
  const status =
    spec.repeat === undefined
      ? await runOnce(exec, target, scope, undefined)
      : await runRepeated(exec, target, scope, spec.repeat);
  return end(status, { startedAt, ...(status === 'succeeded' ? {} : { error: FAILURES[status] }) });
}
