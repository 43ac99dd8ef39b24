import type { CompiledWorkflow } from '../model.js';
import type { CallableWorkflow } from './call-types.js';

/** A validated document a host holds compiled (`flotilla run`, the agent), ready to run when called. */
export interface CompiledCallable extends CallableWorkflow {
  /** The compiled workflow, its `source` set to `key`. */
  readonly workflow: CompiledWorkflow;
}

/** Wraps a compiled workflow for `resolveWorkflowCalls`; `createCallResolver(graph, (w) => w.workflow)` runs it. */
export function compiledCallable(key: string, label: string, workflow: CompiledWorkflow): CompiledCallable {
  return {
    key,
    label,
    name: workflow.name,
    inputs: workflow.inputs,
    calls: workflow.calls ?? [],
    workflow: { ...workflow, source: key },
  };
}
