/**
 * `flotilla convert` on every probe document of documents/: a document whose features the
 * Flotilla format can say is converted, and the converted document validates and runs under
 * `flotilla run` with the outcome the probe document has (exit code and every step's status,
 * expected.yaml); any other is refused with CONVERT_UNSUPPORTED at the line and column of what
 * has no equivalent, and nothing is written.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertProbeDocument } from '@flotilla/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resetCli, runCli } from '../../apps/cli/test/helpers/cli-harness.js';
import { startProbeEnvironment, type ProbeEnvironment } from './helpers/probe-environment.js';

const dir = join(import.meta.dirname, 'documents');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.yml'))
  .sort();
const expected = parse(readFileSync(join(import.meta.dirname, 'expected.yaml'), 'utf8')) as Record<
  string,
  { exit: number; steps: Record<string, string> }
>;
/** The documents within what convert translates; every other one must be refused. */
const CONVERTIBLE = ['04-failures-and-needs.yml', '12-timeout.yml', '21-convertible.yml'];

let probe: ProbeEnvironment;
const out = mkdtempSync(join(tmpdir(), 'flotilla-convert-'));
beforeAll(async () => {
  probe = await startProbeEnvironment();
});
afterAll(async () => {
  await probe.close();
  rmSync(out, { recursive: true, force: true });
});

describe('flotilla convert: probe documents into the Flotilla format', () => {
  for (const file of files) {
    it(file, async () => {
      const path = join(dir, file);
      try {
        const cli = await runCli('convert', path, '--json');
        const answer = JSON.parse(cli.out) as {
          ok: boolean;
          document?: string;
          problems: { code: string; line: number }[];
        };
        const result = convertProbeDocument(readFileSync(path, 'utf8'));
        if (!CONVERTIBLE.includes(file)) {
          expect(cli.code).toBe(1);
          expect(answer.ok).toBe(false);
          expect(answer.problems.length).toBeGreaterThan(0);
          for (const problem of answer.problems) expect(problem).toMatchObject({ code: 'CONVERT_UNSUPPORTED' });
          expect(answer.problems.every((p) => p.line > 1)).toBe(true);
          return;
        }
        expect(cli.code, cli.err).toBe(0);
        if (!result.ok) throw new Error('convertible');
        expect(answer.document).toBe(result.text);
        const converted = join(out, file.replace('.yml', '.flotilla.yaml'));
        writeFileSync(converted, result.text);
        resetCli();

        const inputs = Object.keys(result.document.inputs ?? {}).flatMap((name) => {
          const value = probe.env[name];
          return value === undefined ? [] : ['--input', `${name}=${value}`];
        });
        const run = await runCli('run', converted, '--json', ...inputs);
        const record = JSON.parse(run.out) as { steps: { key: string; status: string }[] };
        const statuses = Object.fromEntries(record.steps.map((s) => [s.key, s.status]));
        const want = expected[file];
        if (want === undefined) throw new Error(`no expectation for ${file}`);
        const translated = Object.fromEntries(
          Object.entries(want.steps).map(([key, status]) => [result.keys[key] ?? key, status]),
        );
        expect({ code: run.code, statuses }, run.err).toEqual({ code: want.exit, statuses: translated });
      } finally {
        resetCli();
      }
    });
  }

  it('writes the converted document with -o; an unreadable file exits 2, a Flotilla document is refused', async () => {
    try {
      const target = join(out, 'written.yaml');
      const written = await runCli('convert', join(dir, '21-convertible.yml'), '-o', target);
      expect(written.code).toBe(0);
      expect(written.err).toContain('converted to');
      expect(readFileSync(target, 'utf8')).toContain('type: group');
      resetCli();
      expect((await runCli('convert', join(out, 'missing.yml'))).code).toBe(2);
      resetCli();
      const flotilla = join(out, 'flotilla.yaml');
      writeFileSync(flotilla, 'name: f\ntasks:\n  - { name: a, type: sleep, config: { duration: 1ms } }\n');
      const refused = await runCli('convert', flotilla);
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('not a linyows/probe document (it has no top-level jobs:) (CONVERT_UNSUPPORTED)');
    } finally {
      resetCli();
    }
  });

  it('refuses what has no equivalent, naming it at its line and column', () => {
    const result = convertProbeDocument(
      [
        'name: x',
        'vars: { when: "{{unixtime()}}" }',
        'jobs:',
        '- name: j',
        '  repeat: { count: 2 }',
        '  steps:',
        '  - { uses: hello, echo: hi }',
        '  - { uses: http, with: { url: "http://x", method: GET }, test: res.code == 200 && res.body.ok }',
        '',
      ].join('\n'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual([
      '2:9 CONVERT_UNSUPPORTED',
      '5:3 CONVERT_UNSUPPORTED',
      '7:20 CONVERT_UNSUPPORTED',
      '8:59 CONVERT_UNSUPPORTED',
    ]);
  });
});
