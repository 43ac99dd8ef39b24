import type { StepRegistry, StepType } from '@flotilla/workflow';

/**
 * The built-in step types. Adding a type is one file under `steps/` plus one line here.
 */
export const builtinSteps: readonly StepType[] = [
  // (step modules are added here, one line each)
];

/** A registry of the built-in steps, optionally with extra types (tests, plugins). */
export function createStepRegistry(extra: readonly StepType[] = []): StepRegistry {
  const registry = new Map<string, StepType>();
  for (const step of [...builtinSteps, ...extra]) {
    if (registry.has(step.type)) throw new Error(`step type "${step.type}" registered twice`);
    registry.set(step.type, step);
  }
  return registry;
}
