import type { WorkflowCallSite } from '../model.js';
import { callTargetKey } from './call-types.js';
import type { CallableWorkflow, CallLimits } from './call-types.js';

/** A chain of calls that must not run, reported at the call that closes or overflows it. */
export interface ChainProblem<W> {
  code: 'WORKFLOW_CYCLE' | 'WORKFLOW_CALL_TOO_DEEP';
  caller: W;
  site: WorkflowCallSite;
  message: string;
}

/** One call between loaded documents: the first call site of `from` that leads to `to`. */
interface Edge {
  from: string;
  to: string;
  site: WorkflowCallSite;
}

/** The calls of each document to each other document (one edge per callee, at its first call). */
function edgesOf<W extends CallableWorkflow>(
  workflows: ReadonlyMap<string, W>,
  edges: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Map<string, Edge[]> {
  const out = new Map<string, Edge[]>();
  for (const [from, workflow] of workflows) {
    const list: Edge[] = [];
    for (const site of workflow.calls) {
      const to = edges.get(from)?.get(callTargetKey(site.target));
      if (to !== undefined && workflows.has(to) && !list.some((e) => e.to === to)) list.push({ from, to, site });
    }
    out.set(from, list);
  }
  return out;
}

/** The shortest chain of calls (one or more) from `start` to a document named `name`, breadth first. */
function shortestChainTo<W extends CallableWorkflow>(
  start: string,
  name: string,
  workflows: ReadonlyMap<string, W>,
  graph: ReadonlyMap<string, Edge[]>,
): Edge[] | undefined {
  const via = new Map<string, Edge>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i] as string;
    for (const edge of graph.get(key) ?? []) {
      if (workflows.get(edge.to)?.name === name) {
        const chain = [edge];
        for (let back = via.get(edge.from); back !== undefined; back = via.get(back.from)) chain.unshift(back);
        return chain;
      }
      if (via.has(edge.to) || edge.to === start) continue;
      via.set(edge.to, edge);
      queue.push(edge.to);
    }
  }
  return undefined;
}

/** The same cycle entered elsewhere (`a → b → a`, `b → a → b`) has the same rotation of names. */
function cycleIdentity(names: readonly string[]): string {
  const rotations = names.map((_, i) => [...names.slice(i), ...names.slice(0, i)].join('\u0000'));
  return rotations.sort()[0] ?? '';
}

/**
 * Checks the chains of calls between the documents loaded (at most `maxWorkflows` + 1, so
 * everything here is polynomial and small): a chain that comes back to a workflow it passed is
 * a cycle, where a workflow is its name, whatever document or version holds it (so a chain
 * cannot come back by another way: a path and a name, two versions). Each cycle is reported
 * once, at the call that closes it, with the chain (`a → b → a`). Without cycles the calls form a
 * DAG, whose longest chain from the root must not nest deeper than `limits.maxDepth`.
 */
export function checkCallChains<W extends CallableWorkflow>(
  root: W,
  workflows: ReadonlyMap<string, W>,
  edges: ReadonlyMap<string, ReadonlyMap<string, string>>,
  limits: CallLimits,
): ChainProblem<W>[] {
  const graph = edgesOf(workflows, edges);
  const nameOf = (key: string): string => workflows.get(key)?.name ?? key;
  const problems: ChainProblem<W>[] = [];
  const reported = new Set<string>();
  // documents in the order the root reaches them, so reports are stable
  const order = [root.key];
  for (let i = 0; i < order.length; i++)
    for (const edge of graph.get(order[i] as string) ?? []) if (!order.includes(edge.to)) order.push(edge.to);
  for (const start of order) {
    const chain = shortestChainTo(start, nameOf(start), workflows, graph);
    const last = chain?.at(-1);
    if (chain === undefined || last === undefined) continue;
    const names = chain.map((edge) => nameOf(edge.from));
    const identity = cycleIdentity(names);
    if (reported.has(identity)) continue;
    reported.add(identity);
    const caller = workflows.get(last.from);
    if (caller === undefined) continue;
    const message = `workflow cycle: ${[...names, nameOf(start)].join(' → ')} (a workflow cannot call itself, directly or through others)`;
    problems.push({ code: 'WORKFLOW_CYCLE', caller, site: last.site, message });
  }
  if (problems.length > 0) return problems;

  // no cycle: the longest chain below each document, memoised (calls, and the first call of it)
  const longest = new Map<string, { length: number; next: Edge | undefined }>();
  const measure = (key: string): number => {
    const known = longest.get(key);
    if (known !== undefined) return known.length;
    let best: { length: number; next: Edge | undefined } = { length: 0, next: undefined };
    for (const edge of graph.get(key) ?? []) {
      const length = 1 + measure(edge.to);
      if (length > best.length) best = { length, next: edge };
    }
    longest.set(key, best);
    return best.length;
  };
  if (measure(root.key) <= limits.maxDepth) return [];
  const names = [root.name];
  let edge = longest.get(root.key)?.next;
  for (let depth = 1; edge !== undefined; depth++, edge = longest.get(edge.to)?.next) {
    names.push(nameOf(edge.to));
    const caller = workflows.get(edge.from);
    if (depth > limits.maxDepth && caller !== undefined) {
      const message = `calls nest more than ${limits.maxDepth} deep: ${names.join(' → ')}`;
      return [{ code: 'WORKFLOW_CALL_TOO_DEEP', caller, site: edge.site, message }];
    }
  }
  return [];
}
