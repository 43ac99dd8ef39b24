import { z } from 'zod';
import { parseProbeDuration } from '../duration.js';
import { ProbeDurationSchema } from '../schema.js';
import type { ActionOutcome, ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';
import { asText } from './values.js';

const DEFAULT_TIMEOUT_MS = 30_000;
/** Where the credentials written in `with` travel to the step: its environment, never its config. */
const PASSWORD_ENV = 'PROBE_SSH_PASSWORD';
const PASSPHRASE_ENV = 'PROBE_SSH_PASSPHRASE';

const SshWithSchema = z
  .strictObject({
    host: z.string().min(1),
    port: z.union([z.int().min(1).max(65_535), z.string().regex(/^\d+$/)]).optional(),
    user: z.string().min(1),
    cmd: z.string().min(1),
    password: z.union([z.string(), z.number()]).optional(),
    key_file: z.string().min(1).optional(),
    key_passphrase: z.union([z.string(), z.number()]).optional(),
    timeout: ProbeDurationSchema.optional(),
    workdir: z.string().min(1).optional(),
    strict_host_check: z.boolean().optional(),
  })
  .refine((input) => input.password !== undefined || input.key_file !== undefined, {
    message: 'give password or key_file',
    path: ['password'],
  });

/** `'text'` for a POSIX shell, whatever the text holds. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function toStep(input: Record<string, unknown>, context: { home?: string | undefined }): ActionStep {
  const timeoutMs = input.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseProbeDuration(input.timeout);
  if (timeoutMs === undefined) throw new ProbeActionError(`timeout "${asText(input.timeout)}" is not a duration`);
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  const config: Record<string, unknown> = {
    host: asText(input.host),
    port: input.port === undefined ? 22 : Number(input.port),
    user: asText(input.user),
    command:
      input.workdir === undefined
        ? asText(input.cmd)
        : `cd ${shellQuote(asText(input.workdir))} && ${asText(input.cmd)}`,
    ...(timeoutMs > 0 ? { connect_timeout: timeoutMs } : {}),
  };
  if (input.password !== undefined) {
    env[PASSWORD_ENV] = asText(input.password);
    secrets.push(env[PASSWORD_ENV]);
    config.password_env = PASSWORD_ENV;
  }
  if (input.key_file !== undefined) {
    const key = asText(input.key_file);
    if (key.startsWith('~/') && context.home === undefined) {
      throw new ProbeActionError(`key_file "${key}": ~ cannot be expanded here (no HOME); give an absolute path`);
    }
    config.key = key.startsWith('~/') ? `${context.home ?? ''}${key.slice(1)}` : key;
  }
  if (input.key_passphrase !== undefined) {
    env[PASSPHRASE_ENV] = asText(input.key_passphrase);
    secrets.push(env[PASSPHRASE_ENV]);
    config.passphrase_env = PASSPHRASE_ENV;
  }
  return { config, env, secrets, ...(timeoutMs > 0 ? { timeoutMs } : {}) };
}

function toResult(outcome: ActionOutcome, input: Record<string, unknown>): ProbeResult {
  const req = {
    host: asText(input.host),
    port: input.port ?? 22,
    user: asText(input.user),
    cmd: asText(input.cmd),
    workdir: asText(input.workdir),
    timeout: asText(input.timeout ?? '30s'),
  };
  const code = outcome.outputs.exit_code;
  const res = {
    code: typeof code === 'number' ? code : -1,
    stdout: asText(outcome.outputs.stdout),
    stderr: asText(outcome.outputs.stderr),
  };
  // a remote command that exited is a result; no connection, or no exit code, is a failure
  const error = typeof code === 'number' || outcome.ok ? undefined : outcome.failure;
  return { res, req, status: res.code === 0 ? 0 : 1, error };
}

/** `ssh`: `cmd` on a remote host; `res.code`, `res.stdout`, `res.stderr`. */
export const sshAction: ProbeAction = {
  name: 'ssh',
  stepType: 'ssh',
  withSchema: SshWithSchema,
  unsupportedFields: {
    env: 'environment variables are not sent over SSH by the ssh step (a value in cmd would show in the remote process list)',
    known_hosts: 'known_hosts files are not read; the ssh step pins a host key with host_key in the Flotilla format',
  },
  toStep,
  toResult,
};
