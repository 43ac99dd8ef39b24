import { resolveTemplates } from '../expressions/evaluate.js';
import type { TemplateScope } from '../expressions/template-scope.js';
import type { StepFinishedRecord } from '../journal/journal-record.js';
import type { RunReplay } from '../journal/journal-replay.js';
import type { StepNode } from '../model.js';
import type { StepFrame } from './step-frame.js';
import { adoptProbeNode } from '../probe/runtime/probe-adoption.js';

export interface AdoptionOptions {
  replay: RunReplay;
  scope: (frame: StepFrame) => TemplateScope;
  /** Makes one journaled step visible (scope, rollback order) as if it had just finished. */
  register: (node: StepNode, frame: StepFrame, record: StepFinishedRecord, order: number) => void;
}

/**
 * Takes over a step that finished before a restart, with the steps nested in it: the children
 * of an `if` or `parallel` stay visible as `steps.<id>` to later steps, and completed children
 * anywhere keep their place in the rollback order. (Steps inside a called workflow are not
 * taken over: their scope is private to the call, but their rollbacks are then not replayed.)
 */
export function adoptFinished(options: AdoptionOptions, node: StepNode, frame: StepFrame, key: string): void {
  const replayed = options.replay.steps.get(key);
  if (replayed?.kind !== 'finished') return;
  options.register(node, frame, replayed.record, replayed.order);
  if (node.probe !== undefined) {
    adoptProbeNode(options.replay, node, frame, key);
    return;
  }
  switch (node.type) {
    case 'if':
    case 'group':
    case 'parallel': {
      const inner = frame.nested(key);
      for (const child of [...(node.then ?? []), ...(node.else ?? []), ...(node.tasks ?? [])]) {
        adoptFinished(options, child, inner, `${key}/${child.id}`);
      }
      return;
    }
    case 'foreach': {
      const count = replayed.record.outputs.count;
      if (typeof count !== 'number') return;
      let items: unknown = [];
      try {
        // the same scope as when the foreach ran (earlier steps are adopted first), so the same items
        items = resolveTemplates(node.config.items, options.scope(frame));
      } catch {
        // without items a compensation that reads `item` fails when it runs, as it should
      }
      for (let index = 0; index < count; index++) {
        const iteration = frame.iterate(key, index, Array.isArray(items) ? items[index] : undefined);
        for (const child of node.tasks ?? [])
          adoptFinished(options, child, iteration, `${iteration.prefix}${child.id}`);
      }
      return;
    }
    default:
      return;
  }
}
