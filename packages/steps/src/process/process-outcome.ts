import { StepError } from '@flotilla/workflow';
import type { StepOutcome } from '@flotilla/workflow';
import { abortedError } from './aborted-error.js';
import type { ProcessResult } from './run-process.js';

/**
 * Maps a finished process to a step outcome with outputs `stdout`, `stderr`, `exit_code`:
 * an aborted run rethrows the abort, an exit code outside `allowExitCodes` (or death by a
 * signal) is a retryable `STEP_FAILED` that still carries the outputs.
 */
export function processOutcome(
  result: ProcessResult,
  options: { signal: AbortSignal; allowExitCodes: readonly number[] | 'any'; name: string },
): StepOutcome {
  const outputs = { stdout: result.stdout, stderr: result.stderr, exit_code: result.exitCode };
  if (result.aborted) throw abortedError(options.signal, outputs);
  if (result.exitCode === null) {
    throw new StepError('STEP_FAILED', `${options.name} was killed by ${result.signal ?? 'a signal'}`, {
      retryable: true,
      outputs,
    });
  }
  if (options.allowExitCodes !== 'any' && !options.allowExitCodes.includes(result.exitCode)) {
    throw new StepError('STEP_FAILED', `${options.name} exited with code ${result.exitCode}`, {
      retryable: true,
      outputs,
    });
  }
  return { outputs };
}
