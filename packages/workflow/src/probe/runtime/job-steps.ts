import type { BlockStatus, Executor } from '../../engine/executor.js';
import type { StepFrame } from '../../engine/step-frame.js';
import type { StepPhase } from '../../journal/journal-record.js';
import type { StepNode } from '../../model.js';

/**
 * The steps of one run of a probe job, in order, every one of them even after one failed (the
 * job is then `failed`): `needs` plays no part inside a job.
 */
export function runProbeJobSteps(
  exec: Executor,
  job: StepNode,
  frame: StepFrame,
  phase: StepPhase,
): Promise<BlockStatus> {
  return exec.runBlock(job.tasks ?? [], frame, phase, { concurrency: 1, ignoreNeeds: true, stopOnFailure: false });
}
