import { StepStatusSchema, type JobPayload } from '@flotilla/protocol';
import { applyInputs, type CompiledWorkflow, type JournalRecord, type StepNode } from '@flotilla/workflow';

/**
 * Journal records that make the engine take `payload.completedSteps` as done: a re-run
 * "resumed from its failed step" (SPEC §6) starts with the steps the earlier run finished, and
 * the engine's own crash recovery then never runs them again and keeps their outputs for
 * templating. Entries whose status is not a step status are left out (the step then runs).
 */
export function resumeSeed(
  payload: JobPayload,
  workflow: CompiledWorkflow,
  now: number,
): { records: JournalRecord[]; ignored: string[] } {
  const records: JournalRecord[] = [
    {
      type: 'run.started',
      ts: now,
      runId: payload.runId,
      workflow: workflow.name,
      // a resumed run keeps these inputs; they are checked here exactly as a fresh run would be
      inputs: applyInputs(workflow.inputs, payload.inputs),
    },
  ];
  const ignored: string[] = [];
  for (const [key, step] of Object.entries(payload.completedSteps)) {
    const status = StepStatusSchema.safeParse(step.status);
    if (!status.success) {
      ignored.push(key);
      continue;
    }
    const node = findNode(workflow, key);
    records.push({
      type: 'step.finished',
      ts: now,
      step: key,
      name: node?.name ?? key,
      stepType: node?.type ?? 'unknown',
      phase: 'main',
      attempt: 1,
      status: status.data,
      outputs: step.outputs,
    });
  }
  return { records, ignored };
}

/** The node of a journal key (`a`, `parent/child`); foreach iterations are not looked into. */
function findNode(workflow: CompiledWorkflow, key: string): StepNode | undefined {
  let level: StepNode[] = workflow.steps;
  let node: StepNode | undefined;
  for (const id of key.split('/')) {
    node = level.find((n) => n.id === id);
    if (node === undefined) return undefined;
    level = [...(node.then ?? []), ...(node.else ?? []), ...(node.tasks ?? [])];
  }
  return node;
}
