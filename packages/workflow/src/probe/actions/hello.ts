import { z } from 'zod';
import type { ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';

/** `hello`: does nothing but succeed; `with` comes back as `res` (with `status: 0`, `dump: false`). */
export const helloAction: ProbeAction = {
  name: 'hello',
  stepType: undefined,
  withSchema: z.record(z.string(), z.unknown()),
  unsupportedFields: {},
  toStep(): ActionStep {
    throw new ProbeActionError('hello runs in the engine, not as a step type');
  },
  toResult(_outcome, input): ProbeResult {
    return { res: { ...input, status: 0, dump: false }, req: { ...input }, status: 0 };
  },
};
