import { StepError } from '@flotilla/workflow';
import type { StepContext, StepLogger, StepPolicy } from '@flotilla/workflow';
import { abortedError } from '../process/aborted-error.js';
import { programSearchPath } from '../process/command-policy.js';
import { assertLoaderEnvAllowed } from '../process/loader-env.js';
import { runProcess } from '../process/run-process.js';
import type { ProcessResult } from '../process/run-process.js';
import { detectServiceManager } from '../process/service-manager.js';
import type { ServiceInvocation } from '../process/service-manager.js';
import { serviceSpec } from '../catalogue/service.js';
import type { ServiceConfig } from '../catalogue/service.js';
import { withRunner } from './step-runner.js';
import { launchOf } from '../process/step-launcher.js';

/** LSB and systemd status exit codes 1–3 mean "not running"; 4 and above mean "unknown". */
const NOT_RUNNING_EXIT_CODES = [1, 2, 3];

function assertServiceAllowed(policy: StepPolicy, name: string): void {
  if (policy.allowedServices.includes('*') || policy.allowedServices.includes(name)) return;
  throw new StepError(
    'POLICY_DENIED',
    `the agent policy does not allow controlling service "${name}" (allowedServices)`,
  );
}

async function invoke(
  ctx: StepContext<ServiceConfig>,
  invocation: ServiceInvocation,
  log: StepLogger = ctx.log,
): Promise<ProcessResult> {
  ctx.log.info(`$ ${[invocation.command, ...invocation.args].join(' ')}`);
  const result = await runProcess({
    ...invocation,
    env: ctx.env,
    signal: ctx.signal,
    log,
    launch: launchOf(ctx.services),
  });
  if (result.aborted) throw abortedError(ctx.signal);
  return result;
}

const outputText = (result: ProcessResult): string => result.stdout + result.stderr;

/** `service`: starts, stops, restarts, enables, disables or queries a service on the allowed list. */
export const serviceStep = withRunner(serviceSpec, {
  async run(ctx) {
    const { name, action } = ctx.config;
    assertServiceAllowed(ctx.services.policy, name);
    // the service manager is the agent's own program: the run's secrets (its env) may not redirect it
    assertLoaderEnvAllowed(ctx.services.policy, ctx.env);
    const manager = await detectServiceManager(programSearchPath(ctx.services.policy, ctx.env));
    await manager.assertKnown(name);
    let result: ProcessResult | undefined;
    let output = '';
    for (const invocation of await manager.invocations(name, action)) {
      result = await invoke(ctx, invocation);
      output += outputText(result);
      if (result.exitCode !== 0) break;
    }
    if (result === undefined) throw new Error(`no invocation for ${action}`);

    if (action === 'status') {
      if (result.exitCode === 0) return { outputs: { active: true, output } };
      if (result.exitCode !== null && NOT_RUNNING_EXIT_CODES.includes(result.exitCode))
        return { outputs: { active: false, output } };
      throw new StepError(
        'STEP_FAILED',
        `status of "${name}" is unknown (exit code ${result.exitCode ?? result.signal})`,
        {
          outputs: { active: false, output },
        },
      );
    }
    if (result.exitCode !== 0) {
      throw new StepError('STEP_FAILED', `${action} "${name}" failed (exit code ${result.exitCode ?? result.signal})`, {
        retryable: true,
        outputs: { active: await isActive(ctx, manager.statusInvocation(name)), output },
      });
    }
    return { outputs: { active: await isActive(ctx, manager.statusInvocation(name)), output } };
  },
});

async function isActive(ctx: StepContext<ServiceConfig>, invocation: ServiceInvocation): Promise<boolean> {
  // The follow-up status query is bookkeeping, not step output: keep its lines out of the log.
  const quiet: StepLogger = { stdout: () => undefined, stderr: () => undefined, info: () => undefined };
  return (await invoke(ctx, invocation, quiet)).exitCode === 0;
}
