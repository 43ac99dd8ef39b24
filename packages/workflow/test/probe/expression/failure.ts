import { ProbeExpressionError } from '@flotilla/workflow';

/** The `ProbeExpressionError` that `run` throws; any other outcome fails the test. */
export function failure(run: () => unknown): ProbeExpressionError {
  try {
    run();
  } catch (err) {
    if (err instanceof ProbeExpressionError) return err;
    throw err;
  }
  throw new Error('expected a ProbeExpressionError');
}
