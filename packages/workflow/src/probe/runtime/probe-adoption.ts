import type { StepFrame } from '../../engine/step-frame.js';
import type { RunReplay } from '../../journal/journal-replay.js';
import type { ProbeStepSpec, StepNode } from '../../model.js';
import { compileProbeExpression } from '../expression/index.js';
import { isMap } from '../actions/values.js';
import type { ProbeEnv } from './probe-env.js';
import type { ProbeScope } from './probe-scope.js';

/**
 * Evaluates a step's `outputs` (only a step with an `id` publishes them); an output that fails
 * is left out and said, as probe does, the others are kept.
 */
export function publishedOutputs(
  spec: ProbeStepSpec,
  env: ProbeEnv,
  say: (line: string) => void,
): Record<string, unknown> | undefined {
  if (spec.publishAs === undefined || Object.keys(spec.outputs).length === 0) return undefined;
  const published: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(spec.outputs)) {
    try {
      published[name] = compileProbeExpression(expression).evaluate(env);
    } catch (err) {
      say(`output ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return published;
}

/**
 * Publishes again what a journaled step published (`outputs.published` of its record), so that a
 * resumed run reads the same `outputs` as if the step had just run.
 */
export function publish(scope: ProbeScope | undefined, recordOutputs: Record<string, unknown>): void {
  const published = recordOutputs.published;
  if (scope === undefined || !isMap(published) || typeof published.as !== 'string' || !isMap(published.outputs)) return;
  scope.outputs.set(published.as, published.outputs);
}

const DIRECT = /^(?:\[\d+\])?(?:\/[^/]+)?(?:\[\d+\])?$/;

/**
 * Takes over a probe job or step that finished before a restart: what its steps published
 * (`outputs.published` of their records, in completion order) is published again.
 */
export function adoptProbeNode(replay: RunReplay, _node: StepNode, frame: StepFrame, key: string): void {
  const scope = frame.probe;
  if (scope === undefined) return;
  const records = [...replay.steps.entries()]
    // the node itself, its steps (in each run of a repeat) and their iterations: not the steps
    // of an embedded job, which published into a scope of their own
    .filter(([step]) => step.startsWith(key) && DIRECT.test(step.slice(key.length)))
    .flatMap(([, state]) => (state.kind === 'finished' ? [state] : []))
    .sort((a, b) => a.order - b.order);
  for (const state of records) publish(scope, state.record.outputs);
}
