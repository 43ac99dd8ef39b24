import type { Failure } from '@flotilla/protocol';
import type { ProbeWorkflowSpec } from '../../model.js';
import { ProbeOutputs } from './probe-outputs.js';
import type { ProbeScope } from './probe-scope.js';
import { evaluateWorkflowVars } from './workflow-vars.js';

/**
 * The scope a probe run starts with: the top-level `vars` evaluated against the run's
 * environment and secrets (secrets win), no outputs yet. A var that fails is the run's failure.
 */
export function probeRootScope(
  spec: ProbeWorkflowSpec,
  request: { environment?: Record<string, string> | undefined },
  secrets: Readonly<Record<string, string>>,
): { scope: ProbeScope; failure?: undefined } | { scope?: undefined; failure: Failure } {
  const environment = { ...request.environment, ...secrets };
  try {
    const vars = evaluateWorkflowVars(spec.vars, environment);
    return { scope: { vars, outputs: new ProbeOutputs(), repeatIndex: 0, home: request.environment?.HOME } };
  } catch (err) {
    return {
      failure: {
        code: 'EXPRESSION_ERROR',
        message: err instanceof Error ? err.message : String(err),
        retryable: false,
      },
    };
  }
}
