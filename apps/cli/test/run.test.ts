import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStepRegistry } from '@flotilla/steps';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '@flotilla/cli';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-run-'));
const hasCommand = createStepRegistry().has('command');
if (!hasCommand) console.warn('flotilla run tests SKIPPED: the `command` step type is not registered');

beforeAll(() => {
  process.env.FLOTILLA_TEST_TOKEN = 'tok-93f1-secret';
});
afterAll(() => {
  delete process.env.FLOTILLA_TEST_TOKEN;
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  // commands report through process.exitCode; do not leak it into the test runner
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
  const code = await main(argv);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const sh = (name: string, script: string, extra = '') =>
  `  - { name: ${name}, type: command, config: { command: sh, args: ["-c", ${JSON.stringify(script)}] }${extra} }`;

describe.skipIf(!hasCommand)('flotilla run', () => {
  const marker = join(dir, 'marker.txt');
  const ok = write('ok.yaml', [
    'name: ok',
    'secrets: [FLOTILLA_TEST_TOKEN]',
    'inputs:',
    '  count: { type: number, default: 1 }',
    'variables: { greeting: hello }',
    'tasks:',
    '  - { name: greet, type: command, config: { command: echo, args: ["{{.greeting}} ${{ inputs.count * 2 }}"] } }',
    sh('use-secret', `echo "token=$FLOTILLA_TEST_TOKEN"`),
    sh('mark', `echo x >> ${marker}`),
  ]);

  it('runs every step, streams their output, prints the report and the totals, exits 0', async () => {
    const { code, out } = await run('run', ok);
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^▶ ok {2}local-/);
    expect(lines.filter((l) => /^[✓✗–]/.test(l)).map((l) => l.split('  ')[0])).toEqual([
      '✓ greet',
      '✓ use-secret',
      '✓ mark',
    ]);
    expect(lines).toContain('  │ hello 2');
    expect(lines).toContain('  │ token=***');
    const report = lines.slice(lines.indexOf('ok: succeeded'));
    expect(report.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok: succeeded',
      '✓ greet',
      '✓ use-secret',
      '✓ mark',
      '3 succeeded,',
    ]);
    expect(report[4]).toMatch(/^3 succeeded, 0 failed, 0 skipped in \d+(ms|\.\ds) — exit code 0$/);
    expect(out).not.toContain('tok-93f1-secret');
  });

  it('--json prints the run record; --var and --input are applied; secrets are masked', async () => {
    const { code, out } = await run('run', ok, '--json', '--var', 'greeting=hi', '--input', 'count=21');
    expect(code).toBe(0);
    const record = JSON.parse(out) as {
      status: string;
      steps: { key: string; status: string; durationMs: number; outputs: { stdout: string } }[];
    };
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((s) => s.key)).toEqual(['greet', 'use-secret', 'mark']);
    expect(record.steps[0]?.outputs.stdout.trim()).toBe('hi 42');
    expect(record.steps[1]?.outputs.stdout.trim()).toBe('token=***');
    expect(out).not.toContain('tok-93f1-secret');
  });

  it('reports a failed step with its output, skips the rest, runs finally and exits 1', async () => {
    const file = write('fail.yaml', [
      'name: fail',
      'tasks:',
      sh('first', 'true'),
      sh('broken', 'for i in $(seq 1 30); do echo line-$i; done; echo oops >&2; exit 3'),
      sh('never', 'true'),
      'finally:',
      sh('cleanup', 'true'),
    ]);
    const junit = join(dir, 'report.xml');
    const { code, out } = await run('run', file, '--junit', junit, '--quiet');
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toBe('fail: failed');
    expect(lines[1]).toMatch(/^ {2}✓ first /);
    expect(lines[2]).toMatch(/^ {2}✗ broken .* \[STEP_FAILED\] sh exited with code 3$/);
    // the last 20 output lines: line-12 … line-30 and the stderr line
    expect(lines.slice(3, 23)).toEqual([
      ...Array.from({ length: 19 }, (_, i) => `      │ line-${i + 12}`),
      '      │ oops',
    ]);
    expect(lines[23]).toMatch(/^ {2}– never +skipped: broken failed$/);
    expect(lines[24]).toMatch(/^ {2}✓ cleanup \(finally\) /);
    expect(lines[25]).toMatch(/^2 succeeded, 1 failed, 1 skipped in .* — run failed, exit code 1$/);
    expect(lines).toHaveLength(26);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="fail" tests="4" failures="1" errors="0" skipped="1"');
    expect(xml).toMatch(/<testcase classname="fail" name="broken" time="[\d.]+">\s*<failure type="STEP_FAILED"/);
  });

  it('refuses an invalid workflow with its problems and exit 1, bad flags with exit 2', async () => {
    const bad = write('bad.yaml', ['name: bad', 'tasks:', '  - { name: a, type: nope }']);
    const invalid = await run('run', bad);
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/bad\.yaml:3:\d+ {2}error {2}\[a\] {2}.*\(UNKNOWN_STEP_TYPE\)/);
    expect((await run('run', ok, '--input', 'count=many')).code).toBe(2);
    expect((await run('run', ok, '--input', 'nope=1')).code).toBe(2);
    expect((await run('run', ok, '--var', 'novalue')).code).toBe(2);
    expect((await run('run', join(dir, 'missing.yaml'))).code).toBe(2);
  });

  it('checks inputs against the document before anything runs', async () => {
    const file = write('enum.yaml', [
      'name: enum',
      'inputs:',
      '  env: { type: string, enum: [staging, production], required: true }',
      'tasks:',
      sh('mark', `echo x >> ${join(dir, 'enum-marker')}`),
    ]);
    const { code, err } = await run('run', file, '--input', 'env=qa');
    expect(code).toBe(1);
    expect(err).toContain('[INPUT_INVALID]');
    expect(existsSync(join(dir, 'enum-marker'))).toBe(false);
  });

  it('--journal with --run-id: a finished run is reported from the journal, not run again', async () => {
    const journal = join(dir, 'journal');
    const before = existsSync(marker) ? readFileSync(marker, 'utf8').length : 0;
    expect((await run('run', ok, '--journal', journal, '--run-id', 'r1')).code).toBe(0);
    expect((await run('run', ok, '--journal', journal, '--run-id', 'r1')).code).toBe(0);
    expect(readFileSync(marker, 'utf8').length - before).toBe(2); // one "x\n": the second call ran nothing
    expect(existsSync(join(journal, 'r1.jsonl'))).toBe(true);
  });
});
