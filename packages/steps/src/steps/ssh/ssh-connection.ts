import { readFile } from 'node:fs/promises';
import type * as Ssh2Module from 'ssh2';
import type { AuthMethod, Client, ConnectConfig, ParsedKey, PasswordAuthMethod, PublicKeyAuthMethod } from 'ssh2';
import { StepError } from '@flotilla/workflow';
import type { StepContext } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { RETRYABLE_SOCKET_CODES } from '../../net/socket-errors.js';
import { parseHostKeyPin } from '../../catalogue/host-key-pin.js';
import { hostKeyFingerprint, hostKeyMatches } from './host-key.js';
import type { SshConnectionConfig } from '../../catalogue/ssh-connection.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;

/** ssh2 is loaded on first use: an agent that never runs an ssh step does not carry it (memory). */
type Ssh2 = typeof Ssh2Module.default;
let ssh2Module: Promise<Ssh2> | undefined;
// A CommonJS package: its `module.exports` arrives as `default`.
const loadSsh2 = (): Promise<Ssh2> => (ssh2Module ??= import('ssh2').then((mod) => mod.default));

/**
 * Opens an SSH connection, runs `work` with it and always closes it. Aborting `ctx.signal`
 * ends the connection at once (which fails whatever `work` is waiting for) and the step
 * rejects with the abort's code. Connection failures become `HOST_KEY_MISMATCH`,
 * `REMOTE_AUTH_FAILED` (neither retryable) or a retryable `STEP_FAILED`.
 */
export async function withSshConnection<C extends SshConnectionConfig, T>(
  ctx: StepContext<C>,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  if (ctx.signal.aborted) throw abortedError(ctx.signal);
  const ssh2 = await loadSsh2();
  const { connectConfig, verdict } = await buildConnectConfig(ctx, ssh2);
  const client = new ssh2.Client();
  // ssh2 emits 'error' for late failures too (a dropped connection); they surface through the
  // channel or SFTP call that fails, so the event itself must not crash the agent.
  const errors: Error[] = [];
  client.on('error', (err) => errors.push(err));
  const onAbort = (): void => {
    // A microtask later, so abort listeners of `work` (a channel signal) still reach the server.
    queueMicrotask(() => {
      client.end();
    });
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await connect(client, connectConfig, errors, verdict, ctx);
    ctx.log.info(
      `ssh: connected to ${ctx.config.user}@${ctx.config.host}:${ctx.config.port} (host key ${verdict.fingerprint ?? 'unknown'})`,
    );
    return await work(client);
  } catch (err) {
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    client.end();
  }
}

/** What the host key check saw, read after a failed handshake. */
interface HostKeyVerdict {
  fingerprint?: string;
  mismatch: boolean;
}

async function buildConnectConfig(
  ctx: StepContext<SshConnectionConfig>,
  ssh2: Ssh2,
): Promise<{ connectConfig: ConnectConfig; verdict: HostKeyVerdict }> {
  const { config } = ctx;
  const privateKey =
    config.key !== undefined ? await readKeyFile(config.key) : envSecret(ctx, config.key_env, 'key_env');
  const passphrase = envSecret(ctx, config.passphrase_env, 'passphrase_env');
  const password = envSecret(ctx, config.password_env, 'password_env');
  // Parsed once here: decrypting a passphrase-protected key (bcrypt KDF) costs about a second
  // of CPU, and handing ssh2 the raw key would make it decrypt again.
  const methods: AuthMethod[] = [];
  if (privateKey !== undefined) {
    const parsed = ssh2.utils.parseKey(privateKey, passphrase);
    if (parsed instanceof Error)
      throw new StepError('CONFIG_INVALID', `the private key cannot be used: ${parsed.message}`);
    const key = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
    if (key === undefined || !key.isPrivateKey()) throw new StepError('CONFIG_INVALID', 'the key is not a private key');
    methods.push({ type: 'publickey', username: config.user, key } as PublicKeyAuthMethod);
  }
  if (password !== undefined) methods.push({ type: 'password', username: config.user, password } as PasswordAuthMethod);
  const pin = config.host_key === undefined ? undefined : parseHostKeyPin(config.host_key);
  const strict = config.strict_host_key ?? pin !== undefined;
  const verdict: HostKeyVerdict = { mismatch: false };
  const connectConfig: ConnectConfig = {
    host: config.host,
    port: config.port,
    username: config.user,
    readyTimeout: config.connect_timeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
    authHandler: methods,
    hostVerifier: (key: Buffer): boolean => {
      verdict.fingerprint = hostKeyFingerprint(key);
      if (pin === undefined || hostKeyMatches(pin, key)) return true;
      if (!strict) {
        ctx.log.info(
          `ssh: WARNING host key ${verdict.fingerprint} does not match host_key (strict_host_key is false, continuing)`,
        );
        return true;
      }
      verdict.mismatch = true;
      return false;
    },
  };
  return { connectConfig, verdict };
}

function connect(
  client: Client,
  config: ConnectConfig,
  errors: Error[],
  verdict: HostKeyVerdict,
  ctx: StepContext<SshConnectionConfig>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (err?: Error): void => {
      cleanup();
      reject(connectError(err ?? errors[0], verdict, ctx));
    };
    const ready = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      fail();
    };
    const cleanup = (): void => {
      client.off('ready', ready);
      client.off('error', fail);
      client.off('close', onClose);
    };
    client.once('ready', ready);
    client.once('error', fail);
    client.once('close', onClose);
    client.connect(config);
  });
}

function connectError(
  err: Error | undefined,
  verdict: HostKeyVerdict,
  ctx: StepContext<SshConnectionConfig>,
): StepError {
  const { host, port, user } = ctx.config;
  if (ctx.signal.aborted) return abortedError(ctx.signal);
  if (verdict.mismatch) {
    return new StepError(
      'HOST_KEY_MISMATCH',
      `the host key of ${host}:${port} (${verdict.fingerprint ?? '?'}) does not match host_key`,
      { cause: err },
    );
  }
  const level = (err as { level?: unknown } | undefined)?.level;
  const code = (err as { code?: unknown } | undefined)?.code;
  const message = err?.message ?? 'connection closed';
  if (level === 'client-authentication') {
    return new StepError('REMOTE_AUTH_FAILED', `ssh authentication as ${user}@${host} failed: ${message}`, {
      cause: err,
    });
  }
  if (
    level === 'client-timeout' ||
    (typeof code === 'string' && RETRYABLE_SOCKET_CODES.has(code)) ||
    level === 'client-dns'
  ) {
    return new StepError('STEP_FAILED', `cannot reach ${host}:${port}: ${message}`, { cause: err, retryable: true });
  }
  return new StepError('STEP_FAILED', `ssh connection to ${host}:${port} failed: ${message}`, {
    cause: err,
    retryable: level === 'client-socket',
  });
}

async function readKeyFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new StepError(
      'CONFIG_INVALID',
      `cannot read the private key file ${path} (${typeof code === 'string' ? code : 'error'})`,
      { cause: err },
    );
  }
}

function envSecret(ctx: StepContext<SshConnectionConfig>, name: string | undefined, field: string): string | undefined {
  if (name === undefined) return undefined;
  const value = ctx.env[name];
  if (value === undefined || value === '') {
    throw new StepError(
      'CONFIG_INVALID',
      `${field}: environment variable ${name} is not set (declare it in the workflow's secrets)`,
    );
  }
  return value;
}
