import { FlotillaError } from '@flotilla/protocol';
import type { CompiledWorkflow, WorkflowCallTarget } from '../model.js';
import { callTargetKey, describeCallTarget } from './call-types.js';
import type { CallableWorkflow, CallGraph } from './call-types.js';

/** The engine's `resolveWorkflow`: the callee of a call written in `caller`. */
export type WorkflowResolver = (target: WorkflowCallTarget, caller: CompiledWorkflow) => Promise<CompiledWorkflow>;

/**
 * The engine's `resolveWorkflow` over calls resolved before the run (`resolveWorkflowCalls`):
 * nothing is loaded while the run goes on. `compiledOf` gives a callee's compiled workflow,
 * whose `source` must be its key (that is how a call it makes in turn is found); a caller
 * without `source` is the root.
 * @throws FlotillaError `WORKFLOW_NOT_FOUND` for a call that was not resolved.
 */
export function createCallResolver<W extends CallableWorkflow>(
  graph: CallGraph<W>,
  compiledOf: (workflow: W) => CompiledWorkflow,
): WorkflowResolver {
  return (target, caller) => {
    const callerKey = caller.source ?? graph.root.key;
    const calleeKey = graph.edges.get(callerKey)?.get(callTargetKey(target));
    const callee = calleeKey === undefined ? undefined : graph.callees.get(calleeKey);
    if (callee === undefined) {
      return Promise.reject(
        new FlotillaError('WORKFLOW_NOT_FOUND', {
          detail: `${describeCallTarget(target)} was not resolved before the run started`,
        }),
      );
    }
    return Promise.resolve(compiledOf(callee));
  };
}
