import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceAvailable } from '../../../packages/steps/test/helpers/service-probe.js';
import { startSmtpPeer, type SmtpPeer } from '../../../packages/steps/test/helpers/smtp-peer.js';
import { startSshd, type Sshd } from '../../../packages/steps/test/helpers/sshd.js';
import { startEchoServer, type EchoServer } from './echo-server.js';

/** The real parts the probe test documents run against, and the environment variables naming them. */
export interface ProbeEnvironment {
  /** `PROBE_TEST_*` variables the documents read (set in `process.env` too). */
  env: Record<string, string>;
  available: { sshd: boolean; postgres: boolean; mysql: boolean };
  smtp: SmtpPeer;
  server: EchoServer;
  close(): Promise<void>;
}

/** A loopback URL where nothing listens (a port just freed). */
async function closedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${String(address.port)}`;
}

/**
 * Starts a local HTTP server, an SMTP peer and sshd (when installed), checks PostgreSQL and
 * MariaDB, and sets the `PROBE_TEST_*` variables the documents read from the environment.
 */
export async function startProbeEnvironment(): Promise<ProbeEnvironment> {
  const server = await startEchoServer();
  const sshd: Sshd | undefined = await startSshd();
  const smtp = await startSmtpPeer({ refuse: { 'nobody@example.com': 550 } });
  const scratch = mkdtempSync(join(tmpdir(), 'flotilla-probe-docs-'));
  const available = {
    sshd: sshd !== undefined,
    postgres: await serviceAvailable('PostgreSQL', '127.0.0.1', 5432),
    mysql: await serviceAvailable('MariaDB', '127.0.0.1', 3306),
  };
  const env: Record<string, string> = {
    PROBE_TEST_URL: server.url,
    PROBE_TEST_CLOSED_URL: await closedUrl(),
    PROBE_TEST_SMTP_ADDR: `${smtp.host}:${String(smtp.port)}`,
    PROBE_TEST_TOKEN: 'tok-probe-1',
    PROBE_TEST_DIR: scratch,
    PROBE_TEST_REGION: 'us',
    PROBE_TEST_TABLE: `probe_users_${String(process.pid)}`,
    ...(sshd === undefined
      ? {}
      : {
          PROBE_TEST_SSH_HOST: sshd.host,
          PROBE_TEST_SSH_PORT: String(sshd.port),
          PROBE_TEST_SSH_USER: sshd.user,
          PROBE_TEST_SSH_KEY: sshd.clientKeyPath,
        }),
  };
  Object.assign(process.env, env);
  return {
    env,
    available,
    smtp,
    server,
    async close() {
      for (const name of Object.keys(env)) Reflect.deleteProperty(process.env, name);
      await server.close();
      await sshd?.stop();
      await smtp.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
