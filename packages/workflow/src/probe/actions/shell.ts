import { z } from 'zod';
import { parseProbeDuration } from '../duration.js';
import { ProbeDurationSchema } from '../schema.js';
import type { ActionOutcome, ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';
import { asText, textMap } from './values.js';

/** The shells probe allows (anything else is refused, as in probe). */
export const PROBE_SHELLS = [
  '/bin/sh',
  '/bin/bash',
  '/bin/zsh',
  '/bin/dash',
  '/usr/bin/sh',
  '/usr/bin/bash',
  '/usr/bin/zsh',
  '/usr/bin/dash',
] as const;
const DEFAULT_TIMEOUT_MS = 30_000;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const ShellWithSchema = z.strictObject({
  cmd: z.string().min(1),
  shell: z.enum(PROBE_SHELLS).optional(),
  workdir: z
    .string()
    .refine((dir) => dir.startsWith('/'), 'workdir must be an absolute path')
    .optional(),
  timeout: ProbeDurationSchema.optional(),
  env: z.record(z.string(), Scalar).optional(),
});

function toStep(input: Record<string, unknown>): ActionStep {
  const shell = asText(input.shell ?? '/bin/sh');
  if (!(PROBE_SHELLS as readonly string[]).includes(shell)) {
    throw new ProbeActionError(`shell "${shell}" is not allowed (one of ${PROBE_SHELLS.join(', ')})`);
  }
  const timeoutMs = input.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseProbeDuration(input.timeout);
  if (timeoutMs === undefined) throw new ProbeActionError(`timeout "${asText(input.timeout)}" is not a duration`);
  const config = {
    command: shell,
    args: ['-c', asText(input.cmd)],
    env: textMap(input.env),
    // a non-zero exit is a result for `test` to judge, not a failure of the action
    allow_exit_codes: 'any',
    ...(input.workdir === undefined ? {} : { cwd: asText(input.workdir) }),
  };
  return { config, ...(timeoutMs > 0 ? { timeoutMs } : {}) };
}

function toResult(outcome: ActionOutcome, input: Record<string, unknown>): ProbeResult {
  const req = {
    cmd: asText(input.cmd),
    shell: asText(input.shell ?? '/bin/sh'),
    workdir: asText(input.workdir),
    timeout: asText(input.timeout ?? '30s'),
    env: textMap(input.env),
  };
  const code = outcome.outputs.exit_code;
  const res = {
    code: typeof code === 'number' ? code : -1,
    stdout: asText(outcome.outputs.stdout),
    stderr: asText(outcome.outputs.stderr),
  };
  // killed by a signal or the timeout, or not started at all: the action failed
  const error = outcome.ok ? undefined : outcome.failure;
  return { res, req, status: res.code === 0 && error === undefined ? 0 : 1, error };
}

/** `shell`: `cmd` run by `shell -c` (default /bin/sh); `res.code`, `res.stdout`, `res.stderr`. */
export const shellAction: ProbeAction = {
  name: 'shell',
  stepType: 'command',
  withSchema: ShellWithSchema,
  unsupportedFields: {
    background: 'background commands are not implemented (their lifetime outlives the step)',
  },
  toStep,
  toResult,
};
