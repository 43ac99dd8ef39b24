import { z } from 'zod';
import type { ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';
import { isMap } from './values.js';

const EmbeddedWithSchema = z.strictObject({
  path: z.string().min(1),
  vars: z.record(z.string(), z.unknown()).optional(),
});

/**
 * `embedded`: runs a job file (`name`, `steps`, `defaults`) as the step. The engine reads the
 * file through its host (`EngineOptions.readJobFile`) and runs its steps as a nested job; `res`
 * is `{code, outputs, error}`.
 */
export const embeddedAction: ProbeAction = {
  name: 'embedded',
  stepType: undefined,
  withSchema: EmbeddedWithSchema,
  unsupportedFields: {},
  toStep(): ActionStep {
    throw new ProbeActionError('embedded runs in the engine, not as a step type');
  },
  toResult(outcome, input): ProbeResult {
    const outputs = isMap(outcome.outputs.outputs) ? outcome.outputs.outputs : {};
    const error = outcome.ok ? undefined : outcome.failure;
    const res = { code: error === undefined ? 0 : 1, outputs, error: error?.message ?? '', dump: false };
    return { res, req: { path: input.path, vars: input.vars ?? {} }, status: res.code, error: undefined };
  },
};
