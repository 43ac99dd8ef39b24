import type { CompiledWorkflow, StepNode, StepServices } from '@flotilla/workflow';

type StepInit = Partial<StepNode> & { type?: string; config?: Record<string, unknown> };

/** A step node with the defaults the document compiler gives (timeout 5m, one attempt). */
export function step(id: string, init: StepInit = {}): StepNode {
  return {
    id,
    name: id,
    type: 'record',
    config: {},
    needs: [],
    timeoutMs: 300_000,
    retry: { attempts: 1, delayMs: 0, backoff: 'fixed', maxDelayMs: 0 },
    continueOnError: false,
    onInterrupt: 'fail',
    outputs: {},
    location: { line: 1, column: 1 },
    ...init,
  };
}

/** Makes list order explicit like the compiler does: a step without `needs` needs the previous one. */
function chain(steps: StepNode[], explicit: ReadonlySet<string>): StepNode[] {
  return steps.map((s, i) => {
    const previous = steps[i - 1];
    return explicit.has(s.id) || previous === undefined ? s : { ...s, needs: [previous.id] };
  });
}

/**
 * A compiled workflow for tests. Steps listed in `parallelIds` keep their own `needs`
 * (use `needs: []` there to start in parallel); all others depend on the step before.
 */
export function workflow(
  steps: StepNode[],
  init: Partial<CompiledWorkflow> & { explicitNeeds?: string[] } = {},
): CompiledWorkflow {
  const { explicitNeeds = [], ...rest } = init;
  return {
    name: 'test',
    timeoutMs: 3_600_000,
    variables: {},
    inputs: {},
    secrets: [],
    onFailure: 'stop',
    ...rest,
    steps: chain(steps, new Set(explicitNeeds)),
    finally: chain(rest.finally ?? [], new Set(explicitNeeds)),
  };
}

/** Services for engine tests: a closed policy and alerts kept in a list. */
export function testServices(): StepServices & { alerts: unknown[] } {
  const alerts: unknown[] = [];
  return {
    alerts,
    policy: {
      allowedFileRoots: [],
      allowedServices: [],
      allowedCommands: [],
      allowedLoaderEnv: [],
      downloadExecEnabled: false,
      jsEnabled: false,
      httpDestinations: { deny: [], denyMetadata: false },
    },
    raiseAlert: (alert) => {
      alerts.push(alert);
      return Promise.resolve();
    },
  };
}
