import type { Launch, NodeStepServices } from '@flotilla/steps';
import { StepError, type AlertRequest, type StepRegistry, type StepType } from '@flotilla/workflow';
import type { PolicySource } from './policy-store.js';

/**
 * Where `alert` steps' alerts go. Until alerts reach the control plane (a later issue) the
 * executor turns them into `system` log lines of the step.
 */
export type AlertSink = (alert: AlertRequest, origin: { runId: string; stepId: string }) => void;

/** What the agent gives its steps besides the registry: the live policy, the alert sink, the launcher. */
export interface PolicyHost {
  readonly policy: PolicySource;
  readonly onAlert: AlertSink;
  /** Starts step processes: the agent's launcher helper. */
  readonly launch: Launch;
}

/**
 * The step registry as the policy allows it: every type is wrapped so that one listed in
 * `disabled_step_types` fails with POLICY_DENIED before it does anything. The check happens
 * when the step runs (not when the registry is built), so a hot-reloaded policy applies to the
 * next step without restarting anything.
 */
export function policyRegistry(registry: StepRegistry, host: PolicyHost): StepRegistry {
  const { policy, onAlert, launch } = host;
  const guarded = new Map<string, StepType>();
  for (const [name, step] of registry) {
    guarded.set(name, {
      type: step.type,
      description: step.description,
      configSchema: step.configSchema,
      effect: (config) => step.effect(config),
      run: (ctx) => {
        if (policy.current().disabledStepTypes.has(name)) {
          return Promise.reject(
            new StepError('POLICY_DENIED', `the agent policy disables "${name}" steps (disabled_step_types)`),
          );
        }
        // the alert sink learns which run and step raised the alert
        const services: NodeStepServices = {
          get policy() {
            return policy.current();
          },
          raiseAlert: (alert) => {
            onAlert(alert, { runId: ctx.runId, stepId: ctx.stepId });
            return Promise.resolve();
          },
          launch,
        };
        return step.run({ ...ctx, services });
      },
    });
  }
  return guarded;
}

/**
 * Step services bound to the live policy, for the engine's options. Steps of a
 * `policyRegistry` get per-step services instead, whose `raiseAlert` names the step.
 */
export function policyServices(host: PolicyHost): NodeStepServices {
  const { policy, onAlert, launch } = host;
  return {
    get policy() {
      return policy.current();
    },
    raiseAlert(alert) {
      onAlert(alert, { runId: '', stepId: '' });
      return Promise.resolve();
    },
    launch,
  };
}
