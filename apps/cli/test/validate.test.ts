import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '@flotilla/cli';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-validate-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  // commands report through process.exitCode; do not leak it into the test runner
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Runs the CLI in-process and captures what it prints. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  const code = await main(argv);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('flotilla validate', () => {
  it('exits 0 for a valid workflow', async () => {
    const file = write(
      'ok.yaml',
      'name: ok\ntasks:\n  - { name: a, type: if, config: { condition: true }, then: [] }\n',
    );
    const { code, out } = await run('validate', file);
    expect(code).toBe(0);
    expect(out).toContain(`${file}: valid`);
  });

  it('prints every problem as FILE:LINE:COLUMN sorted by position and exits 1', async () => {
    const file = write(
      'bad.yaml',
      [
        'name: bad',
        'timout: 1m',
        'tasks:',
        '  - name: a',
        '    type: if',
        '    config: { condition: "${{ nope }}" }',
        '    then: []',
      ].join('\n'),
    );
    const { code, out } = await run('validate', file);
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`${file}:2:1  error  unknown field "timout" (did you mean "timeout"?) (UNKNOWN_FIELD)`);
    expect(lines[1]).toMatch(new RegExp(`^${file}:6:31  error  \\[a\\]  .*\\(UNKNOWN_NAME\\)$`));
    expect(lines[2]).toBe(`${file}: 2 errors`);
  });

  it('prints {ok, problems, warnings} with --json', async () => {
    const file = write('bad.json', '{"name": "j", "tasks": [{"name": "a"}]}');
    const { code, out } = await run('validate', file, '--json');
    expect(code).toBe(1);
    const parsed = JSON.parse(out) as {
      ok: boolean;
      problems: { code: string; line: number; column: number }[];
      warnings: unknown[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.problems.map((p) => `${p.line}:${p.column} ${p.code}`)).toEqual(['1:25 MISSING_FIELD']);
    expect(parsed.warnings).toEqual([]);
  });

  it('exits 2 when the file cannot be read', async () => {
    const { code, err } = await run('validate', join(dir, 'missing.yaml'));
    expect(code).toBe(2);
    expect(err).toContain('ENOENT');
  });

  it('refuses documents over the limits (1 MiB, 64 levels, 2,000 steps) with the limit code and exit 1', async () => {
    let steps = 'name: many\ntasks:\n';
    for (let i = 0; i <= 2000; i++) steps += `  - { name: s${i}, type: command, config: { command: "true" } }\n`;
    const cases = [
      [
        'big.yaml',
        `name: big\ntasks: []\ndescription: "${'x'.repeat(1024 * 1024)}"\n`,
        '1:1  error  ',
        'DOCUMENT_TOO_LARGE',
      ],
      // at the first bracket past the limit, some 64 brackets in
      ['deep.yaml', `name: deep\ntasks: ${'['.repeat(600_000)}`, '2:7', 'DOCUMENT_TOO_DEEP'],
      ['deep.json', `{"name": "deep", "tasks": ${'['.repeat(100_000)}`, '1:9', 'DOCUMENT_TOO_DEEP'],
      ['many.yaml', steps, '2003:5  error  [s2000]  ', 'TOO_MANY_STEPS'],
    ] as const;
    for (const [name, text, where, limitCode] of cases) {
      const file = write(name, text);
      const { code, out } = await run('validate', file);
      expect({ name, code, lines: out.split('\n').length }).toEqual({ name, code: 1, lines: 2 });
      expect(out).toContain(`${file}:${where}`);
      expect(out).toContain(`(${limitCode})`);
    }
  });
});
