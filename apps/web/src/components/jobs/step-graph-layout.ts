import type { WorkflowStep } from '@flotilla/protocol';

export interface PlacedStep {
  step: WorkflowStep;
  layer: number;
  /** Position within its layer (0 first). */
  row: number;
}

export interface StepGraphLayout {
  nodes: PlacedStep[];
  edges: { from: PlacedStep; to: PlacedStep }[];
  layers: number;
  /** Most nodes in one layer. */
  rows: number;
}

/**
 * A layered drawing of a step graph: a step sits one layer right of the last step it needs (steps
 * needing nothing in layer 0), in document order within its layer; `finally:` steps get a layer
 * of their own after every other. Enough for the graphs of workflows (tens of steps, few
 * crossings) without a graph library.
 */
export function layoutStepGraph(steps: readonly WorkflowStep[]): StepGraphLayout {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const layerOf = new Map<string, number>();
  const visiting = new Set<string>();
  function layer(step: WorkflowStep): number {
    const known = layerOf.get(step.id);
    if (known !== undefined) return known;
    // A cycle cannot pass validation; guarded anyway so a bad graph cannot hang the page.
    if (visiting.has(step.id)) return 0;
    visiting.add(step.id);
    let value = 0;
    for (const need of step.needs) {
      const other = byId.get(need);
      if (other !== undefined && !other.finally) value = Math.max(value, layer(other) + 1);
    }
    visiting.delete(step.id);
    layerOf.set(step.id, value);
    return value;
  }
  const main = steps.filter((s) => !s.finally);
  for (const step of main) layer(step);
  const mainLayers = main.length === 0 ? 0 : Math.max(...main.map((s) => layerOf.get(s.id) ?? 0)) + 1;
  const rowsPerLayer: number[] = [];
  const nodes: PlacedStep[] = [];
  const placed = new Map<string, PlacedStep>();
  for (const step of steps) {
    const at = step.finally ? mainLayers : (layerOf.get(step.id) ?? 0);
    const row = rowsPerLayer[at] ?? 0;
    rowsPerLayer[at] = row + 1;
    const node = { step, layer: at, row };
    nodes.push(node);
    placed.set(step.id, node);
  }
  const edges: StepGraphLayout['edges'] = [];
  for (const node of nodes) {
    for (const need of node.step.needs) {
      const from = placed.get(need);
      if (from !== undefined) edges.push({ from, to: node });
    }
  }
  return {
    nodes,
    edges,
    layers: rowsPerLayer.length,
    rows: Math.max(0, ...rowsPerLayer.map((n) => n ?? 0)),
  };
}
