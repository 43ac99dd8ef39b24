import type { JobPayload } from '@flotilla/protocol';
import {
  calledWorkflowKey,
  compiledCallable,
  createCallResolver,
  locateCalledWorkflow,
  resolveWorkflowCalls,
  type CallProblem,
  type CompiledWorkflow,
  type WorkflowResolver,
} from '@flotilla/workflow';
import type { WorkflowCheck } from './workflow-check.js';

/** The calls of a job's workflow, ready for the engine, or why they cannot run. */
export type EnvelopeCalls =
  { ok: true; resolveWorkflow: WorkflowResolver | undefined } | { ok: false; problems: CallProblem[] };

/**
 * Resolves the calls of a job's workflow among the workflow versions its signed envelope carries
 * (`calledWorkflows`: the control plane resolved them when the job was submitted), before the run
 * starts. Each is validated with the agent's own check, and the calls are checked again like
 * everywhere else (inputs, cycles, depth), so a payload the control plane got wrong fails the
 * run with every problem rather than a step in the middle of it. Problems in the job's own
 * document have the document label `''`, the others `name@version`.
 */
export async function resolveEnvelopeCalls(
  payload: JobPayload,
  workflow: CompiledWorkflow,
  check: WorkflowCheck,
): Promise<EnvelopeCalls> {
  if (workflow.calls === undefined || workflow.calls.length === 0) return { ok: true, resolveWorkflow: undefined };
  const table = payload.calledWorkflows ?? [];
  const documents = new Map(table.map((called) => [calledWorkflowKey(called), called.document]));
  const result = await resolveWorkflowCalls(compiledCallable('(job)', '', workflow), {
    locate: (target) => locateCalledWorkflow(table, target),
    load(key) {
      const validated = check(documents.get(key) ?? '');
      if (!validated.ok) {
        return Promise.resolve({ ok: false, problems: validated.problems.map((p) => ({ ...p, document: key })) });
      }
      return Promise.resolve({ ok: true, workflow: compiledCallable(key, key, validated.workflow) });
    },
  });
  if (!result.ok) return { ok: false, problems: result.problems };
  return { ok: true, resolveWorkflow: createCallResolver(result.graph, (callee) => callee.workflow) };
}
