import type { CompiledServerOptions, FlotillaServer } from '@flotilla/server';
import { CliError } from './cli-error.js';
import { builtWebDir } from './web-dir.js';

/** A listening control plane and the URL clients use to reach it. */
export interface RunningControlPlane {
  server: FlotillaServer;
  url: string;
}

/**
 * Builds the control plane and listens (the CLI is the only place that calls `listen`). Loads
 * the server package lazily: client commands should not pay for Fastify and SQLite.
 */
export async function startControlPlane(options: CompiledServerOptions): Promise<RunningControlPlane> {
  const { buildServer } = await import('@flotilla/server');
  const server = await buildServer({ ...options, webDir: options.webDir ?? builtWebDir() ?? null });
  try {
    await server.app.listen({ port: options.port, host: options.host });
  } catch (err) {
    await server.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`port ${options.port} on ${options.host} is already in use (choose another with --port)`);
    }
    throw err;
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  // The bound port, not the asked one: `--port 0` lets the system pick a free port.
  const address = server.app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : options.port;
  return { server, url: `http://${host}:${port}` };
}
