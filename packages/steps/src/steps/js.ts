import { StepError } from '@flotilla/workflow';
import { abortedError } from '../process/aborted-error.js';
import { runInSandbox } from './js-sandbox-pool.js';
import { jsSpec } from '../catalogue/js.js';
import { withRunner } from './step-runner.js';

/**
 * `js`: runs JavaScript in a QuickJS (wasm) sandbox with time and memory limits and no host
 * access. A returned plain object becomes the outputs; any other value is `outputs.result`.
 */
export const jsStep = withRunner(jsSpec, {
  async run(ctx) {
    const { config } = ctx;
    if (!ctx.services.policy.jsEnabled) {
      throw new StepError('POLICY_DENIED', 'the js step is disabled by the agent policy');
    }
    const result = await runInSandbox({
      source: config.source,
      inputJson: JSON.stringify(config.input),
      timeoutMs: config.timeout_ms,
      memoryLimitMb: config.memory_limit_mb,
      signal: ctx.signal,
      onLog: (stream, text) => {
        for (const line of text.split('\n')) ctx.log[stream](line);
      },
    });
    if (result.ok) return { outputs: toOutputs(result.json) };
    switch (result.kind) {
      case 'aborted':
        throw abortedError(ctx.signal);
      case 'timeout':
        throw new StepError('STEP_TIMEOUT', `the script ran longer than ${config.timeout_ms} ms`);
      case 'memory':
        throw new StepError('STEP_FAILED', `the script exceeded its memory limit of ${config.memory_limit_mb} MiB`);
      case 'error':
        throw new StepError('STEP_FAILED', result.message);
      case 'crash':
        throw new StepError('STEP_FAILED', result.message, { retryable: true });
    }
  },
});

function toOutputs(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  const value: unknown = JSON.parse(json);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  return { result: value };
}
