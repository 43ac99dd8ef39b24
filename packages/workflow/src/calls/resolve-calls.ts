import type { ValidationCode } from '../document/problems.js';
import type { SourceLocation, WorkflowCallSite } from '../model.js';
import { checkCallChains } from './call-chains.js';
import { checkCallInputs } from './call-inputs.js';
import { CALL_LIMITS, callTargetKey } from './call-types.js';
import type { CallableWorkflow, CallHost, CallLimits, CallProblem, CallResolution } from './call-types.js';

function problemAt(
  document: CallableWorkflow,
  site: WorkflowCallSite,
  problem: { code: ValidationCode; message: string; location?: SourceLocation; path?: string },
): CallProblem {
  const location = problem.location ?? site.targetLocation;
  return {
    document: document.label,
    line: location.line,
    column: location.column,
    step: site.step,
    path: problem.path ?? `${site.configPath}.${site.target.path === undefined ? 'name' : 'path'}`,
    code: problem.code,
    message: problem.message,
  };
}

/**
 * Resolves, before a run starts, every workflow a root calls, directly or through others: each
 * call is located and its document loaded and validated once (by `host`), the literal inputs of
 * every call are checked against what its callee declares, and chains of calls that come back
 * to a workflow (cycles) or nest deeper than `limits.maxDepth` are refused. Every problem is
 * reported at once, each in the document it is in (the caller's line and column for a call that
 * leads nowhere; the callee's own problems in the callee). On success the graph says which
 * document each call runs (`createCallResolver`).
 */
export async function resolveWorkflowCalls<W extends CallableWorkflow>(
  root: W,
  host: CallHost<W>,
  limits: CallLimits = CALL_LIMITS,
): Promise<CallResolution<W>> {
  const problems: CallProblem[] = [];
  const warnings: CallProblem[] = [];
  const loaded = new Map<string, W>([[root.key, root]]);
  const failed = new Set<string>();
  const edges = new Map<string, Map<string, string>>();
  let overLimit = false;
  // breadth first: documents are loaded in a stable order, each once
  const queue: W[] = [root];
  for (let next = 0; next < queue.length; next++) {
    const caller = queue[next] as W;
    for (const site of caller.calls) {
      const located = await host.locate(site.target, caller);
      if (located.kind === 'unchecked') continue;
      if (located.kind === 'missing') {
        problems.push(problemAt(caller, site, located));
        continue;
      }
      if (located.warning !== undefined) warnings.push(problemAt(caller, site, located.warning));
      if (failed.has(located.key)) continue;
      let callee = loaded.get(located.key);
      if (callee === undefined) {
        if (loaded.size > limits.maxWorkflows) {
          if (!overLimit) {
            const message = `a run may call at most ${limits.maxWorkflows} workflows, directly or through others`;
            problems.push(problemAt(caller, site, { code: 'TOO_MANY_WORKFLOWS', message }));
          }
          overLimit = true;
          continue;
        }
        const result = await host.load(located.key);
        warnings.push(...(result.warnings ?? []));
        if (!result.ok) {
          failed.add(located.key);
          problems.push(...result.problems);
          continue;
        }
        callee = result.workflow;
        loaded.set(located.key, callee);
        queue.push(callee);
      }
      let from = edges.get(caller.key);
      if (from === undefined) edges.set(caller.key, (from = new Map<string, string>()));
      from.set(callTargetKey(site.target), located.key);
      for (const problem of checkCallInputs(site, callee)) problems.push(problemAt(caller, site, problem));
    }
  }
  for (const chain of checkCallChains(root, loaded, edges, limits)) {
    problems.push(problemAt(chain.caller, chain.site, { ...chain, location: chain.site.targetLocation }));
  }
  if (problems.length > 0) return { ok: false, problems, warnings };
  const callees = new Map(loaded);
  callees.delete(root.key);
  return { ok: true, graph: { root, callees, edges }, warnings };
}
