import type { WorkflowCallSite } from '../model.js';
import { callTargetKey } from './call-types.js';
import type { CallableWorkflow, CallLimits } from './call-types.js';

/** Chains walked at most; far more than any real set of workflows forms (32 documents, 8 deep). */
const MAX_CHAIN_VISITS = 10_000;

/** A chain of calls that must not run, reported at the call that closes or overflows it. */
export interface ChainProblem<W> {
  code: 'WORKFLOW_CYCLE' | 'WORKFLOW_CALL_TOO_DEEP' | 'TOO_MANY_WORKFLOWS';
  caller: W;
  site: WorkflowCallSite;
  message: string;
}

/**
 * Walks every chain of calls from the root (over the documents already loaded) and reports:
 * a call to a workflow whose name is already in the chain (`a → b → a`, `a → a`), and a call
 * nested deeper than `limits.maxDepth`. A workflow is its name here, whatever document or
 * version holds it, so a chain cannot come back to "the same workflow" by another way (a path
 * and a name, two versions). Every chain is walked (no memo: with names as identity, whether a
 * document closes a cycle depends on the chain that reached it); the depth limit and a visit
 * budget bound the walk.
 */
export function checkCallChains<W extends CallableWorkflow>(
  root: W,
  workflows: ReadonlyMap<string, W>,
  edges: ReadonlyMap<string, ReadonlyMap<string, string>>,
  limits: CallLimits,
): ChainProblem<W>[] {
  const problems = new Map<string, ChainProblem<W>>();
  const report = (problem: ChainProblem<W>): void => {
    const id = `${problem.caller.key}|${problem.site.step}|${problem.code}`;
    if (!problems.has(id)) problems.set(id, problem);
  };
  let visits = 0;
  const walk = (chain: readonly W[]): boolean => {
    const caller = chain[chain.length - 1];
    if (caller === undefined) return true;
    const seen = new Set<string>();
    for (const site of caller.calls) {
      const key = edges.get(caller.key)?.get(callTargetKey(site.target));
      const callee = key === undefined ? undefined : workflows.get(key);
      // unresolved calls are reported already; a callee called twice is walked once
      if (key === undefined || callee === undefined || seen.has(key)) continue;
      seen.add(key);
      const names = [...chain.map((w) => w.name), callee.name];
      const first = chain.findIndex((w) => w.name === callee.name);
      if (first !== -1) {
        const message = `workflow cycle: ${names.slice(first).join(' → ')} (a workflow cannot call itself, directly or through others)`;
        report({ code: 'WORKFLOW_CYCLE', caller, site, message });
        continue;
      }
      if (chain.length > limits.maxDepth) {
        const message = `calls nest more than ${limits.maxDepth} deep: ${names.join(' → ')}`;
        report({ code: 'WORKFLOW_CALL_TOO_DEEP', caller, site, message });
        continue;
      }
      if (++visits > MAX_CHAIN_VISITS) {
        const message = `the calls between these workflows form more than ${MAX_CHAIN_VISITS} chains; call fewer workflows from more places`;
        report({ code: 'TOO_MANY_WORKFLOWS', caller, site, message });
        return false;
      }
      if (!walk([...chain, callee])) return false;
    }
    return true;
  };
  walk([root]);
  return [...problems.values()];
}
