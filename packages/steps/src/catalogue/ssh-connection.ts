import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { parseHostKeyPin } from './host-key-pin.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `secretEnv`: validation checks that the name is one of the workflow's declared secrets. */
const envName = (what: string) =>
  z
    .string()
    .regex(ENV_NAME, 'an environment variable name (letters, digits, _)')
    .meta({
      description: `Name of the environment variable (a workflow secret) holding ${what}; the value itself never appears in config or logs.`,
      secretEnv: true,
    });

/**
 * Connection fields shared by `ssh` and `sftp`. Secrets are referenced by environment variable
 * name (`key_env`, `password_env`, `passphrase_env`): the engine passes secrets in `ctx.env`,
 * so they never sit in config text, argv or logs.
 */
export const sshConnectionFields = {
  host: z.string().min(1).describe('Remote host name or address.'),
  port: z.number().int().min(1).max(65_535).default(22).describe('SSH port. Default 22.'),
  user: z.string().min(1).describe('Remote user name.'),
  key: z.string().min(1).optional().describe('Path of a private key file on the agent (OpenSSH or PEM format).'),
  key_env: envName('the private key text').optional(),
  password_env: envName('the password').optional(),
  passphrase_env: envName('the passphrase of an encrypted private key').optional(),
  host_key: z
    .string()
    .refine((text) => parseHostKeyPin(text) !== undefined, 'expected a SHA256:… fingerprint or a base64 public key')
    .optional()
    .describe(
      'Pin of the server host key: the SHA256:… fingerprint as `ssh-keygen -lf` prints it, or the public key (base64, or a `ssh-ed25519 AAAA…` line). A mismatch refuses the connection (HOST_KEY_MISMATCH).',
    ),
  strict_host_key: z
    .boolean()
    .optional()
    .describe(
      'Refuse a host key that does not match host_key. Default true when host_key is set; false only logs the mismatch.',
    ),
  connect_timeout: DurationSchema.optional().describe(
    'Time allowed for TCP connect, handshake and authentication. Default 20s.',
  ),
};

/** The connection fields alone (both steps extend them with their own). */
export const SshConnectionSchema = z.strictObject(sshConnectionFields);
/** The connection part of an `ssh` or `sftp` config, after parsing. */
export type SshConnectionConfig = z.output<typeof SshConnectionSchema>;

/** A zod refinement for the connection fields: one credential at least, no strictness without a pin. */
export function refineConnection(config: Partial<SshConnectionConfig>, ctx: z.RefinementCtx): void {
  if (config.strict_host_key === true && config.host_key === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['host_key'],
      message: 'strict_host_key needs host_key (the fingerprint to check against)',
    });
  }
  if (config.key === undefined && config.key_env === undefined && config.password_env === undefined) {
    ctx.addIssue({ code: 'custom', path: ['key'], message: 'give key, key_env or password_env' });
  }
  if (config.key !== undefined && config.key_env !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['key_env'], message: 'give either key or key_env, not both' });
  }
}
