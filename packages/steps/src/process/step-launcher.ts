import type { StepServices } from '@flotilla/workflow';
import type { Launch } from './launcher.js';

/** The step services of the Node runtime: the engine's, plus how step processes start. */
export interface NodeStepServices extends StepServices {
  /**
   * Starts every process a step runs. The agent and `flotilla run` pass their launcher helper's
   * (`useLauncherHelper().launch`); tests may pass `spawnDirectly`.
   */
  readonly launch: Launch;
}

/**
 * The launcher the host put into the step services. The engine's `StepServices` knows nothing
 * of processes (it runs in browsers too), so the Node runtime checks here: a host that passed
 * none is a defect, and nothing forks from the host by default.
 */
export function launchOf(services: StepServices): Launch {
  const { launch } = services as Partial<NodeStepServices>;
  if (typeof launch !== 'function') {
    throw new Error('the step services carry no process launcher (`launch`): the host must pass one');
  }
  return launch;
}
