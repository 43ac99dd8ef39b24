import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FlotillaError, parseDuration } from '@flotilla/protocol';
import type { Problem } from '@flotilla/protocol';
import { parseDatabaseUrl } from './database-url.js';
import { LOG_LEVELS } from './server-options.js';
import { TrustedProxiesSchema } from './trusted-proxies.js';
import type { CompiledServerOptions, LogDestination, ServerOptions } from './server-options.js';

/** Inputs of `compileServerOptions`: the three layers that may set an option. */
export interface ServerOptionsInput {
  /** Highest precedence: values from CLI flags or the embedding program. */
  flags?: ServerOptions;
  /** `FLOTILLA_*` variables. @default {} (pass `process.env` explicitly to read the environment) */
  env?: NodeJS.ProcessEnv;
  /** YAML (or JSON) file with `ServerOptions` keys. @default env.FLOTILLA_CONFIG */
  configFile?: string;
  /** Directory that relative paths from flags and env resolve against. @default process.cwd() */
  cwd?: string;
}

const ENV_NAMES = {
  FLOTILLA_DATA: 'dataDir',
  FLOTILLA_HOST: 'host',
  FLOTILLA_PORT: 'port',
  FLOTILLA_DATABASE_URL: 'databaseUrl',
  FLOTILLA_ADMIN_PASSWORD: 'adminPassword',
  FLOTILLA_LOG_LEVEL: 'logLevel',
  FLOTILLA_PING_INTERVAL: 'pingIntervalMs',
  FLOTILLA_MASTER_KEY: 'masterKey',
  FLOTILLA_TRUSTED_PROXIES: 'trustedProxies',
  FLOTILLA_CHECK_RESPONSES: 'checkResponses',
  FLOTILLA_WEB_DIR: 'webDir',
} as const satisfies Record<string, keyof ServerOptions>;

/** An integer given as a number or as decimal text (environment variables are text). */
const intText = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/, 'expected a whole number').transform(Number)])
    .pipe(z.number().int().min(min).max(max));

/** Milliseconds as a number, decimal text, or a duration such as `15s`. */
const millis = (min: number) =>
  z
    .union([z.number(), z.string()])
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const ms = /^\d+$/.test(value) ? Number(value) : parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration (examples: 500ms, 15s, 5m)` });
        return z.NEVER;
      }
      return ms;
    })
    .pipe(z.number().int().min(min));

const LayerSchema = z.strictObject({
  dataDir: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: intText(0, 65_535).optional(),
  databaseUrl: z.string().min(1).optional(),
  adminPassword: z.string().min(8, 'the admin password needs at least 8 characters').max(1024).optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  pingIntervalMs: millis(50).optional(),
  missedBeatsBeforeOffline: intText(1, 1000).optional(),
  helloTimeoutMs: millis(50).optional(),
  loginRateLimit: intText(1, 1_000_000).optional(),
  loginAddressRateLimit: intText(1, 1_000_000).optional(),
  sessionTtlMs: millis(1000).optional(),
  trustedProxies: TrustedProxiesSchema.optional(),
  checkResponses: z
    .union([z.boolean(), z.enum(['1', 'true', '0', 'false'], 'expected true, false, 1 or 0')])
    .transform((value) => value === true || value === '1' || value === 'true')
    .optional(),
  webDir: z.string().min(1).optional(),
  masterKey: z
    .string()
    .refine(
      (value) => /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32,
      'the master key must be base64 of exactly 32 bytes (openssl rand -base64 32)',
    )
    .optional(),
});
type Layer = z.infer<typeof LayerSchema>;
type ProblemList = NonNullable<Problem['errors']>;

/**
 * Merges CLI flags > `FLOTILLA_*` environment > config file > defaults, validates everything at
 * once and converts units. Throws `FlotillaError('CONFIG_INVALID')` listing every problem.
 */
export function compileServerOptions(input: ServerOptionsInput = {}): CompiledServerOptions {
  const cwd = input.cwd ?? process.cwd();
  const env = input.env ?? {};
  const problems: ProblemList = [];
  const { logDestination, ...flagValues } = input.flags ?? {};

  const configFile = input.configFile ?? nonEmpty(env.FLOTILLA_CONFIG);
  const fileLayer = configFile === undefined ? {} : readConfigFile(path.resolve(cwd, configFile), problems);
  const envLayer = parseLayer(envValues(env), problems, (key) => `env.${envNameOf(key)}`, cwd);
  const flagLayer = parseLayer(flagValues, problems, (key) => `flags.${key}`, cwd);

  const merged: Layer = { ...fileLayer, ...envLayer, ...flagLayer };
  const dataDir = merged.dataDir ?? path.resolve(cwd, '.flotilla/server');
  const databaseUrl = merged.databaseUrl ?? `sqlite:${path.join(dataDir, 'flotilla.db')}`;
  const database = parseDatabaseUrl(databaseUrl, cwd);
  if (logDestination !== undefined && typeof (logDestination as Partial<LogDestination>).write !== 'function') {
    problems.push({ path: 'flags.logDestination', message: 'needs a write(line) method' });
  }
  if (typeof database === 'string') problems.push({ path: 'databaseUrl', message: database });

  if (problems.length > 0 || typeof database === 'string') {
    throw new FlotillaError('CONFIG_INVALID', {
      detail: `Invalid server configuration: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      errors: problems,
    });
  }
  return {
    dataDir,
    host: merged.host ?? '127.0.0.1',
    port: merged.port ?? 7700,
    databaseUrl,
    database,
    adminPassword: merged.adminPassword ?? null,
    logLevel: merged.logLevel ?? 'info',
    logDestination: logDestination ?? null,
    pingIntervalMs: merged.pingIntervalMs ?? 15_000,
    missedBeatsBeforeOffline: merged.missedBeatsBeforeOffline ?? 3,
    helloTimeoutMs: merged.helloTimeoutMs ?? 10_000,
    loginRateLimit: merged.loginRateLimit ?? 10,
    loginAddressRateLimit: merged.loginAddressRateLimit ?? 30,
    sessionTtlMs: merged.sessionTtlMs ?? 30 * 86_400_000,
    trustedProxies: merged.trustedProxies ?? [],
    checkResponses: merged.checkResponses ?? false,
    serverKeyFile: path.join(dataDir, 'server-key.pem'),
    masterKey: merged.masterKey ?? null,
    masterKeyFile: path.join(dataDir, 'master.key'),
    webDir: merged.webDir ?? null,
  };
}

function parseLayer(values: unknown, problems: ProblemList, label: (key: string) => string, baseDir: string): Layer {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    problems.push({ path: label('').replace(/\.$/, ''), message: 'expected a mapping of option names to values' });
    return {};
  }
  // Field by field, so one bad value neither hides the others' problems nor drops their values.
  const layer: Record<string, unknown> = {};
  const shape = LayerSchema.shape as Record<string, z.ZodType | undefined>;
  for (const [key, value] of Object.entries(values)) {
    const schema = shape[key];
    if (schema === undefined) {
      problems.push({ path: label(key), message: 'unknown option' });
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) layer[key] = result.data;
    else for (const issue of result.error.issues) problems.push({ path: label(key), message: issue.message });
  }
  const parsed = layer as Layer;
  // Paths are relative to where they were written (the config file's folder, or the cwd).
  return {
    ...parsed,
    ...(parsed.dataDir === undefined ? {} : { dataDir: path.resolve(baseDir, parsed.dataDir) }),
    ...(parsed.webDir === undefined ? {} : { webDir: path.resolve(baseDir, parsed.webDir) }),
  };
}

function readConfigFile(file: string, problems: ProblemList): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({
      path: 'config',
      message: `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    });
    return {};
  }
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (err) {
    problems.push({ path: 'config', message: `config file ${file} is not valid YAML: ${(err as Error).message}` });
    return {};
  }
  // Relative paths inside a config file are relative to the file, as operators expect.
  return parseLayer(document, problems, (key) => `config.${key}`, path.dirname(file));
}

function envValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, key] of Object.entries(ENV_NAMES)) {
    const value = nonEmpty(env[name]);
    if (value !== undefined) values[key] = value;
  }
  return values;
}

function envNameOf(key: string): string {
  return Object.entries(ENV_NAMES).find(([, k]) => k === key)?.[0] ?? key;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
