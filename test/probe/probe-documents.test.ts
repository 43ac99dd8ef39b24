/**
 * Our own documents in linyows/probe's format, one per feature (documents/*.yml), run unchanged
 * by `flotilla run --json` against real parts: a local HTTP server, sshd, PostgreSQL, MariaDB,
 * SQLite files and real shells. Each must end with the exit status and the step results probe
 * would give them (expected.yaml: per document the exit code, every step's status, and the echo
 * and published outputs of chosen steps); docs/probe.md documents each feature.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli, resetCli } from '../../apps/cli/test/helpers/cli-harness.js';
import { startProbeEnvironment, type ProbeEnvironment } from './helpers/probe-environment.js';

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

let probe: ProbeEnvironment;
beforeAll(async () => {
  probe = await startProbeEnvironment();
});
afterAll(async () => {
  await probe.close();
});

describe('probe documents run unchanged by flotilla run', () => {
  it('every document has its expectations', () => {
    expect(Object.keys(expected).sort()).toEqual(files);
  });

  for (const file of files) {
    it(file, async (ctx) => {
      const want = expected[file];
      if (want === undefined) return;
      if ((want.needs ?? []).some((service) => !probe.available[service])) ctx.skip();
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
          const mails = probe.smtp.received
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
