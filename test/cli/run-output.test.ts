/**
 * `flotilla run` as a user sees it, in a real process whose stdout is a pipe: output streams
 * under its step while the step runs, stderr is marked, `--quiet` prints only the report, the
 * report shows tries, skip reasons and nested counts, `--var` may define what the document
 * reads, an unread `--var` is flagged, and `--json`/`--junit` keep the shape they had.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFlotilla, type FlotillaRun } from './helpers/flotilla-process.js';
import { stableJson, stableJUnit } from './helpers/report-shape.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-run-output-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;

let files = 0;
/** Writes a workflow document into a fresh working directory; returns both. */
function workflow(lines: string[]): { file: string; cwd: string } {
  const cwd = mkdtempSync(join(dir, `case-${++files}-`));
  const file = join(cwd, 'workflow.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, cwd };
}

const sh = (name: string, script: string, extra = '', indent = '  ') =>
  `${indent}- { name: ${name}, type: command, config: { command: sh, args: ["-c", ${JSON.stringify(script)}] }${extra} }`;

function flotilla(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<FlotillaRun> {
  return runFlotilla(args, { cwd, env });
}

/** When the first stdout chunk containing `text` arrived (ms after the spawn). */
function arrival(run: FlotillaRun, text: string): number {
  let seen = '';
  for (const chunk of run.chunks) {
    seen += chunk.text;
    if (seen.includes(text)) return chunk.at;
  }
  throw new Error(`"${text}" never appeared in:\n${run.stdout}`);
}

/** The report: the lines from the workflow's name to the totals. */
function report(run: FlotillaRun, name: string): string[] {
  const lines = run.stdout.trimEnd().split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${name}: `));
  if (start === -1) throw new Error(`no report for ${name} in:\n${run.stdout}`);
  return lines.slice(start);
}

describe('flotilla run: live output and report (real process)', () => {
  it("streams a step's lines while it runs, before its outcome line, and exits 0", async () => {
    const { file, cwd } = workflow([
      'name: streaming',
      'tasks:',
      sh('slow', 'for i in 1 2 3; do echo line-$i; sleep 0.5; done'),
    ]);
    const run = await flotilla(cwd, ['run', file]);
    expect(run.code).toBe(0);
    const first = arrival(run, '│ line-1');
    const last = arrival(run, '│ line-3');
    const done = arrival(run, '✓ slow');
    // the step sleeps 0.5s after each line: line-1 is on stdout a second before line-3
    expect(last - first).toBeGreaterThanOrEqual(800);
    expect(done - first).toBeGreaterThanOrEqual(1200);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^▶ streaming {2}local-/);
    expect(lines.slice(1).filter((l) => !l.includes('· $'))).toEqual(
      expect.arrayContaining(['▸ slow', '  │ line-1', '  │ line-2', '  │ line-3']),
    );
    expect(report(run, 'streaming')).toEqual([
      'streaming: succeeded',
      expect.stringMatching(/^ {2}✓ slow {2}\s*1\.\ds$/),
      expect.stringMatching(/^1 succeeded, 0 failed, 0 skipped in 1\.\ds — exit code 0$/),
    ]);
  });

  it('marks stderr lines with "!", in red only where colour is wanted', async () => {
    const { file, cwd } = workflow(['name: marks', 'tasks:', sh('noisy', 'echo out; echo err >&2')]);
    const plain = await flotilla(cwd, ['run', file]);
    expect(plain.stdout).toContain('  │ out\n');
    expect(plain.stdout).toContain('  ! err\n');
    expect(plain.stdout).not.toMatch(ANSI);

    const forced = await flotilla(cwd, ['run', file], { FORCE_COLOR: '1' });
    expect(forced.stdout).toContain('\x1b[31m!\x1b[39m err');
    expect(forced.stdout).toContain('\x1b[2m│\x1b[22m out');

    const refused = await flotilla(cwd, ['run', file], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(refused.stdout).not.toMatch(ANSI);
  });

  it('--quiet prints only the report: tries, skip reasons, and the output of the failed step', async () => {
    const { file, cwd } = workflow([
      'name: quiet',
      'inputs: { env: { type: string, default: staging } }',
      'tasks:',
      sh(
        'flaky',
        'n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; [ $n -ge 1 ]',
        ', retry: { attempts: 3, delay: 10ms }',
      ),
      sh('prod-only', 'true', ', if: "${{ inputs.env == \'production\' }}"'),
      sh('broken', 'echo why >&2; exit 3'),
      sh('after', 'true'),
      'finally:',
      sh('cleanup', 'echo bye'),
    ]);
    const run = await flotilla(cwd, ['run', file, '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('▸');
    expect(run.stdout).not.toContain('bye');
    expect(report(run, 'quiet')).toEqual([
      'quiet: failed',
      expect.stringMatching(/^ {2}✓ flaky {13}\s+\d+ms {2}⟳ 2\/3$/),
      "  – prod-only          skipped: condition false (inputs.env == 'production')",
      expect.stringMatching(/^ {2}✗ broken {12}\s+\d+ms {2}\[STEP_FAILED\] sh exited with code 3$/),
      '      │ why',
      '  – after              skipped: broken failed',
      expect.stringMatching(/^ {2}✓ cleanup \(finally\)\s+\d+ms$/),
      expect.stringMatching(/^2 succeeded, 1 failed, 2 skipped in \d+ms — run failed, exit code 1$/),
    ]);
  });

  it('prefixes lines with the step when several run at once, and counts nested steps in the report', async () => {
    const { file, cwd } = workflow([
      'name: together',
      'tasks:',
      '  - name: checks',
      '    type: parallel',
      '    tasks:',
      sh('api', 'for i in 1 2 3; do echo api-$i; sleep 0.6; done', '', '      '),
      sh('database', 'sleep 0.3; for i in 1 2 3; do echo db-$i; sleep 0.6; done', '', '      '),
      sh('fails', 'sleep 0.2; exit 1', ', continue_on_error: true', '      '),
      sh('report', 'echo done'),
    ]);
    const run = await flotilla(cwd, ['run', file]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('▸ checks');
    expect(lines).toEqual(expect.arrayContaining(['  api      │ api-2', '  database │ db-2']));
    // the two steps' lines alternate as they were printed
    expect(arrival(run, 'api-2')).toBeLessThan(arrival(run, 'db-2'));
    expect(arrival(run, 'db-2')).toBeLessThan(arrival(run, 'api-3'));
    expect(report(run, 'together').slice(0, 5)).toEqual([
      'together: succeeded',
      expect.stringMatching(/^ {2}✓ checks {6}\s+\S+ {2}\(2 succeeded, 1 failed\)$/),
      expect.stringMatching(/^ {4}✓ api {7}\s+\S+$/),
      expect.stringMatching(/^ {4}✓ database {2}\s+\S+$/),
      expect.stringMatching(/^ {4}✗ fails {5}\s+\S+ {2}\[STEP_FAILED\] sh exited with code 1$/),
    ]);
  });

  it('shows the id only where two steps share a name, and why steps were skipped after a failure', async () => {
    const { file, cwd } = workflow([
      'name: names',
      'tasks:',
      '  - { id: build-app, name: build, type: command, needs: [], config: { command: "false" } }',
      '  - { id: build-docs, name: build, type: command, needs: [], config: { command: sh, args: [-c, "sleep 0.3"] } }',
      '  - { name: ship, type: command, needs: [build-app], config: { command: "true" } }',
      '  - { name: announce, type: command, needs: [ship], config: { command: "true" } }',
      '  - { name: index, type: command, needs: [build-docs], config: { command: "true" } }',
    ]);
    const run = await flotilla(cwd, ['run', file, '--quiet']);
    expect(run.code).toBe(1);
    expect(report(run, 'names').slice(1, 6)).toEqual([
      expect.stringMatching(/^ {2}✗ build \(build-app\) {2}\s+\S+ {2}\[STEP_FAILED\]/),
      expect.stringMatching(/^ {2}✓ build \(build-docs\)\s+\S+$/),
      '  – ship                skipped: build (build-app) failed',
      '  – announce            skipped: build (build-app) failed',
      '  – index               skipped: the run stopped after build (build-app) failed',
    ]);
  });

  it('--var defines a variable the document reads without declaring it (the run uses the value)', async () => {
    const { file, cwd } = workflow([
      'name: deploy',
      'variables: { region: eu }',
      'tasks:',
      '  - { name: deploy, type: command, config: { command: echo, args: ["to {{.ENVIRONMENT}} in ${{ vars.region }}, ${{ vars.release }}"] } }',
    ]);
    const refused = await flotilla(cwd, ['run', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /workflow\.yaml:4:\d+ {2}error {2}\[deploy\] {2}\{\{\.ENVIRONMENT\}\} names no input.*\(UNKNOWN_NAME\)/,
    );

    const run = await flotilla(cwd, [
      'run',
      file,
      '--var',
      'ENVIRONMENT=prod',
      '--var',
      'release=1.4',
      '--var',
      'region=us',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('│ to prod in us, 1.4');
  });

  it('an unread --var is a warning with the closest name; the run goes on', async () => {
    const { file, cwd } = workflow([
      'name: typo',
      'variables: { ENVIRONMENT: staging }',
      'tasks:',
      '  - { name: deploy, type: command, config: { command: echo, args: ["to {{.ENVIRONMENT}}"] } }',
    ]);
    const run = await flotilla(cwd, ['run', file, '--var', 'ENVIRONMNET=prod']);
    expect(run.code).toBe(0);
    expect(run.stderr.trim()).toBe(
      `${file}:1:1  warning  variable "ENVIRONMNET" is set from outside the document (--var) but nothing in it reads it (did you mean "ENVIRONMENT"?) (UNUSED_VARIABLE)`,
    );
    expect(run.stdout).toContain('│ to staging');
  });

  it('validate --var: an undeclared variable the document reads is accepted, an unread one is flagged', async () => {
    const { file, cwd } = workflow([
      'name: check',
      'tasks:',
      '  - { name: deploy, type: command, config: { command: echo, args: ["{{.TARGET}}"] } }',
    ]);
    const without = await flotilla(cwd, ['validate', file]);
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('(UNKNOWN_NAME)');

    const given = await flotilla(cwd, ['validate', file, '--var', 'TARGET=x', '--var', 'TRAGET=y']);
    expect(given.code).toBe(0);
    expect(given.stdout.split('\n')).toEqual([
      `${file}:1:1  warning  variable "TRAGET" is set from outside the document (--var) but nothing in it reads it (did you mean "TARGET"?) (UNUSED_VARIABLE)`,
      `${file}: valid, 1 warning`,
      '',
    ]);

    const json = await flotilla(cwd, ['validate', file, '--var', 'TARGET=x', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ ok: true, problems: [], warnings: [] });
    expect((await flotilla(cwd, ['validate', file, '--var', 'novalue'])).code).toBe(2);
  });

  it('--json and --junit have the content they had before the live view (report-shape fixture)', async () => {
    const cwd = mkdtempSync(join(dir, 'shape-'));
    const junit = join(cwd, 'report.xml');
    const run = await flotilla(cwd, ['run', join(FIXTURES, 'report-shape.yaml'), '--json', '--junit', junit]);
    expect(run.code).toBe(1);
    // stdout is the JSON record alone
    expect(stableJson(run.stdout)).toEqual(
      JSON.parse(readFileSync(join(FIXTURES, 'report-shape.before.json'), 'utf8')),
    );
    expect(stableJUnit(readFileSync(junit, 'utf8'))).toBe(
      readFileSync(join(FIXTURES, 'report-shape.before.xml'), 'utf8'),
    );
  });
});
