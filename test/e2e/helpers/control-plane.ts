import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, compileServerOptions, type FlotillaServer } from '@flotilla/server';
import { rest, type Rest } from './rest.js';

export const ADMIN_PASSWORD = 'e2e admin password';

/** A real control plane listening on loopback, with an admin session. */
export interface ControlPlane {
  readonly server: FlotillaServer;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** REST as the logged-in admin. */
  readonly api: Rest;
  /** The admin's bearer token (for raw requests such as streamed exports). */
  readonly token: string;
  /** Creates an enrolment token through REST and returns its secret. */
  enrollmentToken(request?: Record<string, unknown>): Promise<string>;
  /** Stops listening and closes the store; the data dir stays (for restarts). */
  close(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Reuse a data dir (a restart); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Listen on this port (a restart); 0 otherwise. */
  port?: number;
  /** The store (`sqlite:…`, `postgres://…`); SQLite in the data dir otherwise. */
  databaseUrl?: string;
  /** Serve this built web UI at `/` (browser tests). */
  webDir?: string;
}

/**
 * Builds the real `@flotilla/server` (SQLite in a temp dir unless `databaseUrl` says otherwise), listens on 127.0.0.1, and logs in
 * as admin over HTTP. Short ping intervals keep liveness tests fast.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'flotilla-e2e-server-')));
  const server = await buildServer(
    compileServerOptions({
      flags: {
        dataDir,
        adminPassword: ADMIN_PASSWORD,
        logLevel: 'silent',
        pingIntervalMs: 200,
        helloTimeoutMs: 2000,
        // A response that breaks its route contract is a 500 the test sees.
        checkResponses: true,
        ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
        ...(options.webDir === undefined ? {} : { webDir: options.webDir }),
      },
    }),
  );
  await server.app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('control plane has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  const login = await rest(url).post('/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  const api = rest(url, login.body.token as string);
  return {
    server,
    url,
    port: address.port,
    dataDir,
    api,
    token: login.body.token as string,
    async enrollmentToken(request = {}) {
      const res = await api.post('/enrollment-tokens', request);
      if (res.status !== 201) throw new Error(`cannot create an enrolment token: ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    close: () => server.close(),
  };
}

/** Tracks control planes and their data dirs for cleanup in afterEach. */
export function controlPlanes() {
  const planes: ControlPlane[] = [];
  const dirs = new Set<string>();
  return {
    async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
      const cp = await startControlPlane(options);
      planes.push(cp);
      dirs.add(cp.dataDir);
      return cp;
    },
    async cleanup(): Promise<void> {
      for (const cp of planes.splice(0)) await cp.close().catch(() => undefined);
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      dirs.clear();
    },
  };
}
