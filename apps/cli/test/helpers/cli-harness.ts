import { vi } from 'vitest';
import { main } from '@flotilla/cli';
import type { FlotillaServer } from '@flotilla/server';

/** What one `flotilla …` invocation printed, and its exit code. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process, capturing `console.log` (out) and `console.error` (err). */
export async function runCli(...argv: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  const code = await main(argv);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** For `afterEach`: forget the last command's exit code and console spies. */
export function resetCli(): void {
  process.exitCode = undefined;
  vi.restoreAllMocks();
}

/**
 * Listens on a free port, logs in as admin, and points client commands at it through
 * `FLOTILLA_SERVER`/`FLOTILLA_TOKEN`. Returns the URL and the token.
 */
export async function serveForCli(
  server: FlotillaServer,
  adminPassword: string,
): Promise<{ url: string; token: string }> {
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: adminPassword },
  });
  const token = login.json<{ token: string }>().token;
  process.env.FLOTILLA_SERVER = url;
  process.env.FLOTILLA_TOKEN = token;
  return { url, token };
}

/** Removes what `serveForCli` set. */
export function forgetCliServer(): void {
  delete process.env.FLOTILLA_SERVER;
  delete process.env.FLOTILLA_TOKEN;
}
