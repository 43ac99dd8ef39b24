import type { CompiledWorkflow, StepNode, StepPhase } from '@flotilla/workflow';

/** Where a step's journal key puts it: `loop[2]/child` is `child`, iteration 2 of `loop`. */
export interface KeyPlace {
  /** The step's id (last segment, without `#rollback`). */
  id: string;
  /** Key of the enclosing step, undefined at top level. */
  parent: string | undefined;
  /** The foreach iteration it ran in, when its parent is a foreach. */
  iteration: number | undefined;
  /** Nesting level, 0 at top level. */
  depth: number;
}

const ITERATION = /\[(\d+)\]$/;

/** Splits a journal key (`id`, `parent/child`, `loop[1]/child`, `id#rollback`). */
export function placeOf(key: string): KeyPlace {
  const slash = key.lastIndexOf('/');
  const last = key.slice(slash + 1);
  const id = last.endsWith('#rollback') ? last.slice(0, -'#rollback'.length) : last;
  if (slash === -1) return { id, parent: undefined, iteration: undefined, depth: 0 };
  const head = key.slice(0, slash);
  const match = ITERATION.exec(head);
  return {
    id,
    parent: match === null ? head : head.slice(0, match.index),
    iteration: match === null ? undefined : Number(match[1]),
    depth: key.split('/').length - 1,
  };
}

function collectNames(nodes: readonly StepNode[], into: Map<string, Set<string>>): void {
  for (const node of nodes) {
    const ids = into.get(node.name) ?? new Set<string>();
    ids.add(node.id);
    into.set(node.name, ids);
    collectNames([...(node.tasks ?? []), ...(node.then ?? []), ...(node.else ?? [])], into);
    if (node.rollback !== undefined) collectNames([node.rollback], into);
  }
}

/**
 * How steps are named for people: by `name`, with the id only where two steps share a name
 * (and the id differs from it), the foreach iteration (`restart [2]`), and the phase when it is
 * not the main one (`cleanup (finally)`).
 */
export class StepLabels {
  private readonly shared = new Set<string>();

  constructor(workflow: CompiledWorkflow) {
    const ids = new Map<string, Set<string>>();
    collectNames([...workflow.steps, ...workflow.finally], ids);
    for (const [name, set] of ids) if (set.size > 1) this.shared.add(name);
  }

  label(key: string, name: string, phase: StepPhase = 'main'): string {
    const { id, iteration } = placeOf(key);
    const withId = this.shared.has(name) && id !== name ? `${name} (${id})` : name;
    const withIteration = iteration === undefined ? withId : `${withId} [${iteration}]`;
    return phase === 'main' ? withIteration : `${withIteration} (${phase})`;
  }
}
