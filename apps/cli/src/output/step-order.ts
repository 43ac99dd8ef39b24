import type { CompiledWorkflow, StepNode, StepPhase } from '@flotilla/workflow';
import type { StepRecord } from '@flotilla/workflow';
import { placeOf } from './step-labels.js';

const PHASES: Record<StepPhase, number> = { main: 0, rollback: 1, finally: 2 };

/** Each step id's position in the document (depth first), so reports list steps as written. */
export function documentOrder(workflow: CompiledWorkflow): ReadonlyMap<string, number> {
  const order = new Map<string, number>();
  const visit = (nodes: readonly StepNode[]): void => {
    for (const node of nodes) {
      if (!order.has(node.id)) order.set(node.id, order.size);
      visit([...(node.then ?? []), ...(node.else ?? []), ...(node.tasks ?? [])]);
    }
  };
  visit([...workflow.steps, ...workflow.finally]);
  return order;
}

/**
 * Orders steps of one parent as a reader expects: main steps, then compensations, then
 * `finally`; by foreach iteration; then as written in the document (steps that ran side by
 * side start in any order); steps the document does not list (a called workflow's) by start.
 */
export function bySiblingOrder(order: ReadonlyMap<string, number>) {
  return (a: StepRecord, b: StepRecord): number => {
    const pa = placeOf(a.key);
    const pb = placeOf(b.key);
    return (
      PHASES[a.phase] - PHASES[b.phase] ||
      (pa.iteration ?? -1) - (pb.iteration ?? -1) ||
      (a.phase === 'rollback' ? 0 : (order.get(pa.id) ?? Infinity) - (order.get(pb.id) ?? Infinity)) ||
      (a.startedAt ?? a.finishedAt) - (b.startedAt ?? b.finishedAt)
    );
  };
}
