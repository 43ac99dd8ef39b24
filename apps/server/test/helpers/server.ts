import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildServer, compileServerOptions } from '@flotilla/server';
import type { FlotillaServer, ServerOptions, ServerParts } from '@flotilla/server';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Collected JSON log lines of a test server (to assert what is and is not logged). */
export class LogCollector {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  text(): string {
    return this.lines.join('');
  }
}

export interface TestServer {
  server: FlotillaServer;
  dataDir: string;
  logs: LogCollector;
  /** Bearer token of the admin user. */
  token: string;
  close(): Promise<void>;
}

/**
 * Builds a server on a temp data dir (SQLite unless `databaseUrl` is given) and logs in as admin.
 * Responses are checked against their route contracts: one that breaks its contract is a 500.
 */
export async function startTestServer(flags: ServerOptions = {}, parts: ServerParts = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-server-'));
  const logs = new LogCollector();
  const server = await buildServer(
    compileServerOptions({
      flags: {
        dataDir,
        adminPassword: ADMIN_PASSWORD,
        logLevel: 'debug',
        logDestination: logs,
        checkResponses: true,
        ...flags,
      },
    }),
    parts,
  );
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'admin', password: ADMIN_PASSWORD },
  });
  if (login.statusCode !== 200) throw new Error(`admin login failed: ${login.body}`);
  const { token } = login.json<{ token: string }>();
  return {
    server,
    dataDir,
    logs,
    token,
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Listens on a free loopback port and returns the URL agents connect to (`ws://…/agent/v1/connect`). */
export async function listenForAgents(t: TestServer): Promise<string> {
  const address = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  return `${address.replace('http', 'ws')}/agent/v1/connect`;
}
