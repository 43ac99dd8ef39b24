import type { StepFailure } from '@flotilla/protocol';
import type { ProbeStepSpec } from '../../model.js';
import type { ProbeResult } from '../actions/action.js';
import type { ProbeEnv } from './probe-env.js';
import { evaluateBoolean } from './probe-env.js';

/** Whether a step passed, why not, and whether its `retry` (if any) should try again. */
export type Verdict = { passed: true; retry: boolean } | { passed: false; retry: boolean; failure: StepFailure };

/**
 * Probe's rules for one attempt: the action failing fails the step whatever the test says; a
 * `test` decides otherwise; a step without one passes ("untested"), and is retried only while
 * its action's `status` is not 0.
 */
export function judge(spec: ProbeStepSpec, result: ProbeResult, env: ProbeEnv): Verdict {
  if (result.error !== undefined) return { passed: false, retry: true, failure: result.error };
  if (spec.test === undefined) return { passed: true, retry: result.status !== 0 };
  let holds: boolean;
  try {
    holds = evaluateBoolean(spec.test, env);
  } catch (err) {
    const message = `test ${spec.test.trim()}: ${err instanceof Error ? err.message : String(err)}`;
    return { passed: false, retry: true, failure: { code: 'STEP_FAILED', message, retryable: false } };
  }
  if (holds) return { passed: true, retry: false };
  const code = result.res.code;
  const detail = typeof code === 'number' ? ` (res.code is ${code})` : '';
  return {
    passed: false,
    retry: true,
    failure: { code: 'STEP_FAILED', message: `test failed: ${spec.test.trim()}${detail}`, retryable: false },
  };
}
