import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { FlotillaClient } from '@flotilla/client';
import { writeFileAtomic } from '@flotilla/node-kit';
import { CliError } from '../cli-error.js';

/** Where a client command finds its control plane and token. */
export const ClientConfigSchema = z.object({ server: z.url(), token: z.string().min(1) });
export type ClientConfig = z.infer<typeof ClientConfigSchema>;

export interface ClientFlags {
  server?: string | undefined;
  token?: string | undefined;
}

/** `flotilla login` saves here (`$XDG_CONFIG_HOME/flotilla/config.json`, mode 0600). */
export function loginConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(base, 'flotilla', 'config.json');
}

/** `flotilla up` saves here so client commands run from the same directory find the local server. */
export function localConfigPath(dataDir = '.flotilla'): string {
  return resolve(dataDir, 'cli.json');
}

async function readConfig(path: string): Promise<ClientConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = ClientConfigSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new CliError(`${path} is not a valid Flotilla client config; remove it or run \`flotilla login\``);
  return parsed.data;
}

/** Writes a client config atomically with mode 0600 (it holds a bearer token). */
export async function saveClientConfig(path: string, config: ClientConfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
}

/**
 * Resolves server and token in this order: flags, `FLOTILLA_SERVER`/`FLOTILLA_TOKEN`, the local
 * `./.flotilla/cli.json` written by `flotilla up`, then the config saved by `flotilla login`.
 */
export async function resolveClientConfig(
  flags: ClientFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClientConfig> {
  const server = flags.server ?? env.FLOTILLA_SERVER;
  const token = flags.token ?? env.FLOTILLA_TOKEN;
  if (server !== undefined && token !== undefined) return { server, token };
  for (const path of [localConfigPath(), loginConfigPath(env)]) {
    const saved = await readConfig(path);
    if (saved !== undefined && (server === undefined || server === saved.server)) {
      return { server: saved.server, token: token ?? saved.token };
    }
  }
  throw new CliError(
    'no control plane configured: run `flotilla up` here, `flotilla login --server URL`, or pass --server and --token (or FLOTILLA_SERVER and FLOTILLA_TOKEN)',
    2,
  );
}

/** A client for the configured control plane. */
export async function connectClient(flags: ClientFlags): Promise<FlotillaClient> {
  const config = await resolveClientConfig(flags);
  return new FlotillaClient({ baseUrl: config.server, token: config.token });
}
