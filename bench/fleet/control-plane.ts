import { rm } from 'node:fs/promises';
import { FlotillaClient } from '@flotilla/client';
import { buildServer, compileServerOptions, type FlotillaServer } from '@flotilla/server';
import { benchTempDir } from './processes.js';

const ADMIN_PASSWORD = 'bench admin password';

/** The control plane under test: in this process (so its memory and events are observable), SQLite, loopback. */
export interface BenchControlPlane {
  server: FlotillaServer;
  url: string;
  client: FlotillaClient;
  /** An enrolment token for `uses` agents labelled with `labels`. */
  enrollmentToken(uses: number, labels?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

export async function startBenchControlPlane(): Promise<BenchControlPlane> {
  const dataDir = benchTempDir('server');
  // SQLite as users run it: every commit fdatasynced before it resolves (dialect-sqlite.ts).
  const server = await buildServer(
    compileServerOptions({ flags: { dataDir, adminPassword: ADMIN_PASSWORD, logLevel: 'silent' } }),
  );
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('bench: the control plane has no TCP address');
  const url = `http://127.0.0.1:${address.port}`;
  const client = new FlotillaClient({ baseUrl: url, timeoutMs: 120_000 });
  await client.login('admin', ADMIN_PASSWORD);
  return {
    server,
    url,
    client,
    async enrollmentToken(uses, labels = {}) {
      const created = await client.api.enrollmentTokens.create({
        body: { uses, expiresIn: '1h', labels, policy: 'auto-approve' },
      });
      return created.token;
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
