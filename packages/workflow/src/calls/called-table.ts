import type { WorkflowCallTarget } from '../model.js';
import type { CallLocation } from './call-types.js';

/** A stored workflow version, as a job carries the ones its workflow calls. */
export interface CalledWorkflowRef {
  readonly name: string;
  readonly version: number;
}

/** The key of a stored workflow version among loaded documents: `name@version`. */
export function calledWorkflowKey(ref: CalledWorkflowRef): string {
  return `${ref.name}@${ref.version}`;
}

/** Why a control plane cannot run a call by `path`. */
export const PATH_CALL_PROBLEM =
  'config.path names a file, which only flotilla run can read; on the control plane a workflow calls others by name (config.name, optionally config.version)';

/**
 * Locates a call among the workflow versions a job was given (the agent's envelope, a re-run's
 * job): by name and version, or by name alone — then the highest version listed, which is the
 * latest when the job was submitted (the control plane lists the latest for every such call).
 */
export function locateCalledWorkflow(table: readonly CalledWorkflowRef[], target: WorkflowCallTarget): CallLocation {
  if (target.path !== undefined) return { kind: 'missing', code: 'INVALID_CONFIG', message: PATH_CALL_PROBLEM };
  let found: CalledWorkflowRef | undefined;
  for (const ref of table) {
    if (ref.name !== target.name) continue;
    if (target.version === undefined ? ref.version > (found?.version ?? 0) : ref.version === target.version)
      found = ref;
  }
  if (found === undefined) {
    const what = target.version === undefined ? '' : ` version ${target.version}`;
    return {
      kind: 'missing',
      code: 'UNKNOWN_WORKFLOW',
      message: `the job carries no workflow "${target.name}"${what}`,
    };
  }
  return { kind: 'found', key: calledWorkflowKey(found) };
}
