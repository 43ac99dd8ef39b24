/**
 * Our own documents in linyows/probe's format, one per feature (documents/*.yml), run unchanged
 * by `flotilla run --json` against real parts: a local HTTP server, sshd, PostgreSQL, MariaDB,
 * SQLite files and real shells. Each must end with the exit status and the step results probe
 * would give them (expected.yaml: per document the exit code, every step's status, and the echo
 * and published outputs of chosen steps); docs/probe.md documents each feature.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, resetCli } from '../../apps/cli/test/helpers/cli-harness.js';
import { serviceAvailable } from '../../packages/steps/test/helpers/service-probe.js';
import { startSmtpPeer, type SmtpPeer } from '../../packages/steps/test/helpers/smtp-peer.js';
import { startSshd, type Sshd } from '../../packages/steps/test/helpers/sshd.js';
import { startEchoServer, type EchoServer } from './helpers/echo-server.js';

const dir = join(import.meta.dirname, 'documents');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.yml'))
  .sort();

interface Expected {
  exit: number;
  /** Services the document needs; it is skipped loudly without them. */
  needs?: ('sshd' | 'postgres' | 'mysql')[];
  steps: Record<string, string>;
  echo?: Record<string, string>;
  published?: Record<string, Record<string, unknown>>;
  errors?: Record<string, string>;
  /** What the SMTP peer received: `EHLO-name recipients subject`. */
  mails?: string[];
}
const expected = parse(readFileSync(join(import.meta.dirname, 'expected.yaml'), 'utf8')) as Record<string, Expected>;

interface StepRecord {
  key: string;
  status: string;
  outputs: { echo?: string; published?: { outputs: Record<string, unknown> } };
  error?: { code: string; message: string };
}

let server: EchoServer;
let sshd: Sshd | undefined;
let smtp: SmtpPeer;
const available = { sshd: false, postgres: false, mysql: false };
const scratch = mkdtempSync(join(tmpdir(), 'flotilla-probe-docs-'));
const env: Record<string, string> = {};

/** A loopback URL where nothing listens (a port just freed). */
async function closedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${String(address.port)}`;
}

beforeAll(async () => {
  server = await startEchoServer();
  sshd = await startSshd();
  smtp = await startSmtpPeer({ refuse: { 'nobody@example.com': 550 } });
  available.sshd = sshd !== undefined;
  available.postgres = await serviceAvailable('PostgreSQL', '127.0.0.1', 5432);
  available.mysql = await serviceAvailable('MariaDB', '127.0.0.1', 3306);
  Object.assign(env, {
    PROBE_TEST_URL: server.url,
    PROBE_TEST_CLOSED_URL: await closedUrl(),
    PROBE_TEST_SMTP_ADDR: `${smtp.host}:${String(smtp.port)}`,
    PROBE_TEST_TOKEN: 'tok-probe-1',
    PROBE_TEST_DIR: scratch,
    PROBE_TEST_REGION: 'us',
    PROBE_TEST_TABLE: `probe_users_${process.pid}`,
    ...(sshd === undefined
      ? {}
      : {
          PROBE_TEST_SSH_HOST: sshd.host,
          PROBE_TEST_SSH_PORT: String(sshd.port),
          PROBE_TEST_SSH_USER: sshd.user,
          PROBE_TEST_SSH_KEY: sshd.clientKeyPath,
        }),
  });
  Object.assign(process.env, env);
});

afterAll(async () => {
  for (const name of Object.keys(env)) Reflect.deleteProperty(process.env, name);
  await server.close();
  await sshd?.stop();
  await smtp.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('probe documents run unchanged by flotilla run', () => {
  it('every document has its expectations', () => {
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  for (const file of files) {
    it(file, async (ctx) => {
      const want = expected[file];
      if (want === undefined) return;
      if ((want.needs ?? []).some((service) => !available[service])) ctx.skip();
      try {
        const { code, out, err } = await runCli('run', join(dir, file), '--json');
        const record = JSON.parse(out) as { status: string; steps: StepRecord[] };
        const steps = Object.fromEntries(record.steps.map((s) => [s.key, s.status]));
        expect({ code, steps }, err).toEqual({ code: want.exit, steps: want.steps });
        const byKey = new Map(record.steps.map((s) => [s.key, s]));
        for (const [key, text] of Object.entries(want.echo ?? {})) expect(byKey.get(key)?.outputs.echo).toBe(text);
        for (const [key, outputs] of Object.entries(want.published ?? {})) {
          expect(byKey.get(key)?.outputs.published?.outputs).toEqual(outputs);
        }
        for (const [key, message] of Object.entries(want.errors ?? {})) {
          expect(byKey.get(key)?.error?.message).toContain(message);
        }
        if (want.mails !== undefined) {
          const mails = smtp.received
            .splice(0)
            .map((m) => `${m.clientHostname} ${m.rcptTo.join(',')} ${m.mail.subject ?? ''}`);
          expect(mails.sort()).toEqual([...want.mails].sort());
        }
      } finally {
        resetCli();
      }
    });
  }
});
