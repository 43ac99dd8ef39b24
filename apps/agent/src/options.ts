import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DurationSchema, FlotillaError, LabelsSchema } from '@flotilla/protocol';

/** Public options of the agent daemon. Every field may also come from the environment. */
export interface AgentOptions {
  /** Control-plane base URL, `http(s)://host[:port]`. Env `FLOTILLA_SERVER`. Required. */
  serverUrl?: string | undefined;
  /** Enrolment token; only needed on first start. Env `FLOTILLA_ENROLL_TOKEN`. */
  token?: string | undefined;
  /** Where the key, state, journal and counters live. Env `FLOTILLA_AGENT_DATA`. @default './.flotilla/agent' */
  dataDir?: string | undefined;
  /** Agent name, unique per project. Env `FLOTILLA_AGENT_NAME`. @default os.hostname(), sanitised */
  name?: string | undefined;
  /** Labels sent at enrolment. @default {} */
  labels?: Record<string, string> | undefined;
  /** pino log level. @default 'info' */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' | undefined;
  /** First reconnect/enrolment retry window (full jitter). @default '1s' */
  reconnectBase?: string | number | undefined;
  /** Upper bound of the reconnect window; at most 60 s. @default '60s' */
  reconnectCap?: string | number | undefined;
  /** How long `stop()` lets running steps finish before killing them. @default '10s' */
  shutdownGrace?: string | number | undefined;
  /**
   * How long an aborted step (cancel, deadline, stop) may take to stop before the engine
   * abandons it; steps themselves send SIGTERM then SIGKILL to their process group. @default '5s'
   */
  killGrace?: string | number | undefined;
  /** Time allowed from TCP connect to a verified `welcome`. @default '10s' */
  handshakeTimeout?: string | number | undefined;
  /**
   * The local policy file (YAML, hot-reloaded). Env `FLOTILLA_AGENT_POLICY`. Given explicitly it
   * must exist. @default '<dataDir>/policy.yaml' when that file exists, else built-in defaults
   */
  policyFile?: string | undefined;
}

/** The validated, defaulted form the rest of the agent uses (durations in milliseconds). */
export interface CompiledAgentOptions {
  readonly serverUrl: string;
  /** `ws(s)://…/agent/v1/connect`, derived from `serverUrl`. */
  readonly wsUrl: string;
  readonly token: string | undefined;
  readonly dataDir: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly logLevel: NonNullable<AgentOptions['logLevel']>;
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
  readonly shutdownGraceMs: number;
  readonly killGraceMs: number;
  readonly handshakeTimeoutMs: number;
  /** Absolute path of an explicit policy file; undefined: `<dataDir>/policy.yaml` if present. */
  readonly policyFile: string | undefined;
}

const MAX_RECONNECT_CAP_MS = 60_000;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

const AgentOptionsSchema = z.strictObject({
  serverUrl: z
    .url({ protocol: /^https?$/, error: 'serverUrl must be an http:// or https:// URL' })
    .refine((u) => !new URL(u).search && !new URL(u).hash, 'serverUrl must not carry a query or fragment'),
  token: z.string().min(1).max(256).optional(),
  dataDir: z.string().min(1).default('./.flotilla/agent'),
  name: z.string().regex(NAME_RE, 'names are 1–63 characters of A–Z a–z 0–9 _ . -'),
  labels: LabelsSchema.default({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  reconnectBase: DurationSchema.default(1000).refine((ms) => ms >= 1, 'reconnectBase must be at least 1ms'),
  reconnectCap: DurationSchema.default(MAX_RECONNECT_CAP_MS).refine(
    (ms) => ms >= 1 && ms <= MAX_RECONNECT_CAP_MS,
    'reconnectCap must be between 1ms and 60s',
  ),
  shutdownGrace: DurationSchema.default(10_000),
  killGrace: DurationSchema.default(5000),
  handshakeTimeout: DurationSchema.default(10_000).refine((ms) => ms >= 1, 'handshakeTimeout must be positive'),
  policyFile: z.string().min(1).optional(),
});

/** `os.hostname()` reduced to the characters an agent name may hold. */
export function defaultAgentName(host: string = hostname()): string {
  const cleaned = host
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63);
  return cleaned === '' ? 'agent' : cleaned;
}

/** `http://h:1/base` → `ws://h:1/base/agent/v1/connect` (https → wss). */
export function deriveWsUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/agent/v1/connect`;
  return url.toString();
}

function pick(value: string | undefined, envValue: string | undefined): string | undefined {
  if (value !== undefined) return value;
  return envValue === undefined || envValue === '' ? undefined : envValue;
}

/**
 * Fills defaults (explicit option, then environment, then built-in default), validates, and
 * converts durations. Invalid input throws `FlotillaError` `CONFIG_INVALID` listing every issue.
 */
export function compileAgentOptions(
  input: AgentOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): CompiledAgentOptions {
  const serverUrl = pick(input.serverUrl, env.FLOTILLA_SERVER);
  if (serverUrl === undefined) {
    throw new FlotillaError('CONFIG_INVALID', {
      detail: 'the control-plane URL is required (--server URL or FLOTILLA_SERVER)',
      errors: [{ path: 'serverUrl', message: 'required' }],
    });
  }
  const parsed = AgentOptionsSchema.safeParse({
    ...input,
    serverUrl,
    token: pick(input.token, env.FLOTILLA_ENROLL_TOKEN),
    dataDir: pick(input.dataDir, env.FLOTILLA_AGENT_DATA),
    name: pick(input.name, env.FLOTILLA_AGENT_NAME) ?? defaultAgentName(),
    policyFile: pick(input.policyFile, env.FLOTILLA_AGENT_POLICY),
  });
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new FlotillaError('CONFIG_INVALID', {
      detail: `invalid agent options: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors,
      cause: parsed.error,
    });
  }
  const o = parsed.data;
  return {
    serverUrl: o.serverUrl.replace(/\/+$/, ''),
    wsUrl: deriveWsUrl(o.serverUrl),
    token: o.token,
    dataDir: resolve(o.dataDir),
    name: o.name,
    labels: o.labels,
    logLevel: o.logLevel,
    reconnectBaseMs: o.reconnectBase,
    reconnectCapMs: Math.max(o.reconnectCap, 1),
    shutdownGraceMs: o.shutdownGrace,
    killGraceMs: o.killGrace,
    handshakeTimeoutMs: o.handshakeTimeout,
    policyFile: o.policyFile === undefined ? undefined : resolve(o.policyFile),
  };
}
