/**
 * `type: workflow` under `flotilla run` and `flotilla validate`, as a user runs them: the built
 * binary in a directory of workflow files, callees found by path (relative to the calling file)
 * and by name (`--workflows DIR`). Needs `npm run build` (the `npm test` script builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../../apps/cli/bin/flotilla.js');
const built = existsSync(resolve(import.meta.dirname, '../../apps/cli/dist/main.js'));
if (!built) console.warn('SKIPPED test/cli/workflow-calls: apps/cli/dist is missing (run npm run build)');

const dir = mkdtempSync(join(tmpdir(), 'flotilla-calls-'));
afterAll(() => {
  if (process.env.KEEP_CALLS_DIR === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(dir);
});

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** The real `flotilla` process, from `dir`. */
function flotilla(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, CALLS_TOKEN: 'tok-calls-7f3a' },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

interface Record {
  status: string;
  steps: { key: string; status: string; outputs: { [name: string]: unknown }; error?: { code: string } }[];
}
const stepOf = (record: Record, key: string) => record.steps.find((s) => s.key === key);

// lib/build.yaml: called by path from the main document; it calls lib/tools/pack.yaml by path
// (relative to lib/, not to the caller's directory) and declares workflow outputs
write('lib/build.yaml', [
  'name: build',
  'secrets: [CALLS_TOKEN]',
  'inputs:',
  '  target: { type: string, enum: [web, api], required: true }',
  '  replicas: { type: number, default: 2 }',
  'outputs:',
  '  artifact: steps.pack.outputs.archive',
  '  doubled: ${{ inputs.replicas * 2 }}',
  'tasks:',
  '  - name: compile',
  '    type: command',
  '    config: { command: sh, args: ["-c", "echo compiling $0 with $TOKEN", "{{.target}}"], env: { TOKEN: "{{.CALLS_TOKEN}}" } }',
  '  - name: pack',
  '    type: workflow',
  '    config: { path: tools/pack.yaml, inputs: { name: "app-${{ inputs.target }}" } }',
]);
write('lib/tools/pack.yaml', [
  'name: pack',
  'inputs: { name: { type: string, required: true } }',
  'outputs: { archive: "inputs.name + \'.tar\'" }',
  'tasks:',
  '  - { name: tar, type: command, config: { command: echo, args: ["packing ${{ inputs.name }}"] } }',
]);
// workflows/: called by name with --workflows
write('workflows/notify.yaml', [
  'name: notify',
  'inputs: { text: { type: string, required: true } }',
  'tasks:',
  '  - { name: say, type: command, config: { command: echo, args: ["notify: ${{ inputs.text }}"] } }',
]);
write('workflows/broken.yaml', [
  'name: broken',
  'tasks:',
  '  - { name: explode, type: command, config: { command: sh, args: ["-c", "echo going down; exit 4"] } }',
  '  - { name: unreached, type: command, config: { command: echo, args: [never] } }',
  'finally:',
  '  - { name: tidy, type: command, config: { command: echo, args: [tidied] } }',
]);
// a document without a name cannot be called by name; a file that is not YAML is not read
write('workflows/draft.yaml', ['tasks: []']);
write('workflows/notes.txt', ['not a workflow']);

const main = write('main.yaml', [
  'name: main',
  'tasks:',
  '  - name: build',
  '    type: workflow',
  '    config: { path: lib/build.yaml, inputs: { target: web } }',
  '  - name: notify',
  '    type: workflow',
  '    config: { name: notify, inputs: { text: "built ${{ steps.build.outputs.artifact }}" } }',
  '  - name: report',
  '    type: command',
  '    config:',
  '      command: echo',
  '      args: ["${{ steps.build.outputs.doubled }} ${{ steps.notify.outputs.steps.say.stdout.trim() }}"]',
]);

describe.skipIf(!built)('flotilla run: type: workflow (built CLI)', () => {
  it('runs callees by path (relative to each calling file) and by name, inputs in and outputs back', () => {
    const { code, out, err } = flotilla('run', 'main.yaml', '--workflows', 'workflows', '--json');
    expect(err).toBe('');
    expect(code).toBe(0);
    const record = JSON.parse(out) as Record;
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((s) => s.key)).toEqual([
      'build/compile',
      'build/pack/tar',
      'build/pack',
      'build',
      'notify/say',
      'notify',
      'report',
    ]);
    expect(stepOf(record, 'build')?.outputs).toMatchObject({ artifact: 'app-web.tar', doubled: 4 });
    // the callee's declared secret is read from the environment and masked
    expect(stepOf(record, 'build/compile')?.outputs.stdout).toBe('compiling web with ***\n');
    expect(out).not.toContain('tok-calls-7f3a');
    expect(stepOf(record, 'report')?.outputs.stdout).toBe('4 notify: built app-web.tar\n');
  });

  it('shows the steps of a callee in the report, nested under the calling step', () => {
    const { code, out } = flotilla('run', 'main.yaml', '--workflows', 'workflows', '--quiet');
    expect(code).toBe(0);
    const lines = out.split('\n').map((line) => line.replace(/\s+\d+(ms|\.\ds)/, '').trimEnd());
    expect(lines).toEqual(
      expect.arrayContaining([
        '  ✓ build  (2 succeeded)',
        '    ✓ compile',
        '    ✓ pack  (1 succeeded)',
        '      ✓ tar',
        '  ✓ notify  (1 succeeded)',
        '    ✓ say',
      ]),
    );
    expect(out).toMatch(/7 succeeded, 0 failed, 0 skipped in /);
  });

  it('a failing callee fails its calling step and the run (exit 1); its finally runs, later steps are skipped', () => {
    write('calls-broken.yaml', [
      'name: calls-broken',
      'tasks:',
      '  - { name: risky, type: workflow, config: { name: broken } }',
      '  - { name: after, type: command, config: { command: echo, args: [after] } }',
    ]);
    const { code, out } = flotilla('run', 'calls-broken.yaml', '--workflows', 'workflows', '--json');
    expect(code).toBe(1);
    const record = JSON.parse(out) as Record;
    expect(record.status).toBe('failed');
    expect(Object.fromEntries(record.steps.map((s) => [s.key, s.status]))).toEqual({
      'risky/explode': 'failed',
      'risky/unreached': 'skipped',
      'risky/tidy': 'succeeded',
      risky: 'failed',
      after: 'skipped',
    });
    expect(stepOf(record, 'risky')?.error?.code).toBe('STEP_FAILED');
    const report = flotilla('run', 'calls-broken.yaml', '--workflows', 'workflows');
    expect(report.code).toBe(1);
    expect(report.out).toMatch(/✗ explode +\d+ms/);
    expect(report.out).toContain('going down');
    expect(report.out).toContain('[STEP_FAILED] workflow "broken": a nested step failed');
  });

  it('refuses bad inputs before anything runs, at the line and column of the call', () => {
    const marker = join(dir, 'ran-anyway');
    write('bad-inputs.yaml', [
      'name: bad-inputs',
      'tasks:',
      `  - { name: first, type: command, config: { command: touch, args: [${marker}] } }`,
      '  - name: build',
      '    type: workflow',
      '    config:',
      '      path: lib/build.yaml',
      '      inputs: { target: mobile, replicas: "3", colour: blue }',
      '  - { name: shout, type: workflow, config: { name: notify } }',
    ]);
    const { code, err } = flotilla('run', 'bad-inputs.yaml', '--workflows', 'workflows');
    expect(code).toBe(1);
    expect(err).toContain(
      'bad-inputs.yaml:8:25  error  [build]  workflow "build": input "target" must be one of "web", "api" (INVALID_CONFIG)',
    );
    expect(err).toContain(
      'bad-inputs.yaml:8:43  error  [build]  workflow "build": input "replicas" must be a number, got a string (INVALID_CONFIG)',
    );
    expect(err).toContain('bad-inputs.yaml:8:48  error  [build]  workflow "build" has no input "colour"');
    expect(err).toContain(
      'bad-inputs.yaml:9:44  error  [shout]  workflow "notify" needs input "text" (required, no default) (MISSING_FIELD)',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('reports problems inside a callee at its own file:line:column, all at once', () => {
    write('lib/invalid.yaml', [
      'name: invalid',
      'tasks:',
      '  - { name: a, type: command, config: { command: echo, colour: red } }',
      '  - { name: b, type: sleep, config: { duration: forever } }',
    ]);
    write('calls-invalid.yaml', [
      'name: calls-invalid',
      'tasks:',
      '  - { name: c, type: workflow, config: { path: lib/invalid.yaml } }',
    ]);
    const { code, err } = flotilla('run', 'calls-invalid.yaml');
    expect(code).toBe(1);
    expect(err).toMatch(/lib\/invalid\.yaml:3:\d+ {2}error {2}\[a\] .*\(UNKNOWN_CONFIG_FIELD\)/);
    expect(err).toMatch(/lib\/invalid\.yaml:4:\d+ {2}error {2}\[b\] .*"forever" is not a duration/);
  });

  it('refuses cycles before anything runs: through a path and a name, and a self-call', () => {
    const marker = join(dir, 'cycle-ran');
    write('cycle/a.yaml', [
      'name: a',
      'tasks:',
      `  - { name: first, type: command, config: { command: touch, args: [${marker}] } }`,
      '  - { name: to-b, type: workflow, config: { path: b.yaml } }',
    ]);
    write('cycle/b.yaml', ['name: b', 'tasks:', '  - { name: back-to-a, type: workflow, config: { name: a } }']);
    write('cycle/self.yaml', [
      'name: self',
      'tasks:',
      '  - { name: again, type: workflow, config: { path: self.yaml } }',
    ]);
    const cycle = flotilla('run', 'cycle/a.yaml', '--workflows', 'cycle');
    expect(cycle.code).toBe(1);
    expect(cycle.err).toContain(
      'cycle/b.yaml:3:56  error  [back-to-a]  workflow cycle: a → b → a (a workflow cannot call itself, directly or through others) (WORKFLOW_CYCLE)',
    );
    expect(existsSync(marker)).toBe(false);
    const self = flotilla('run', 'cycle/self.yaml');
    expect(self.code).toBe(1);
    expect(self.err).toContain('cycle/self.yaml:3:52  error  [again]  workflow cycle: self → self');
  });

  it('refuses an unknown callee: a missing file, an unknown name, a name without --workflows', () => {
    write('unknown.yaml', [
      'name: unknown',
      'tasks:',
      '  - { name: file, type: workflow, config: { path: lib/nope.yaml } }',
      '  - { name: named, type: workflow, config: { name: notfy } }',
    ]);
    const withDir = flotilla('run', 'unknown.yaml', '--workflows', 'workflows');
    expect(withDir.code).toBe(1);
    expect(withDir.err).toContain('unknown.yaml:3:51  error  [file]  no file lib/nope.yaml');
    expect(withDir.err).toContain(
      'unknown.yaml:4:52  error  [named]  no workflow named "notfy" in workflows (did you mean "notify"?) (found: broken, notify; without a readable name: draft.yaml) (UNKNOWN_WORKFLOW)',
    );
    const withoutDir = flotilla('run', 'unknown.yaml');
    expect(withoutDir.err).toContain('give the directory of the workflows it may call with --workflows DIR');
  });

  it('refuses a name two documents of --workflows share, and ignores a version with a warning', () => {
    write('twins/one.yaml', ['name: twin', 'tasks: []']);
    write('twins/two.yml', ['name: twin', 'tasks: []']);
    write('calls-twin.yaml', [
      'name: calls-twin',
      'tasks:',
      '  - { name: t, type: workflow, config: { name: twin, version: 3 } }',
    ]);
    const twin = flotilla('run', 'calls-twin.yaml', '--workflows', 'twins');
    expect(twin.code).toBe(1);
    expect(twin.err).toContain('2 documents in twins are named "twin": twins/one.yaml, twins/two.yml');
    expect(twin.err).toContain('(AMBIGUOUS_WORKFLOW)');
    rmSync(join(dir, 'twins/two.yml'));
    const one = flotilla('run', 'calls-twin.yaml', '--workflows', 'twins');
    expect(one.code).toBe(0);
    expect(one.err).toContain(
      'warning  [t]  flotilla run has no versions: version 3 is ignored and twins/one.yaml runs (CALL_VERSION_IGNORED)',
    );
  });
});

describe.skipIf(!built)('flotilla validate: type: workflow (built CLI)', () => {
  it('checks callees by path always, by name with --workflows, and lists each problem in its file', () => {
    write('validate/lib.yaml', [
      'name: lib',
      'inputs: { n: { type: number, required: true } }',
      'tasks:',
      '  - { name: x, type: command, config: { command: echo, colour: red } }',
    ]);
    write('validate/root.yaml', [
      'name: root',
      'tasks:',
      '  - { name: by-path, type: workflow, config: { path: lib.yaml, inputs: { n: 1 } } }',
      '  - { name: by-name, type: workflow, config: { name: elsewhere } }',
    ]);
    const result = flotilla('validate', 'validate/root.yaml', '--json');
    expect(result.code).toBe(1);
    const json = JSON.parse(result.out) as { ok: boolean; problems: { file?: string; code: string; line: number }[] };
    // the call by name is left unchecked without --workflows (it may be meant for the control plane)
    expect(json.problems.map((p) => `${p.file ?? '(root)'}:${p.line} ${p.code}`)).toEqual([
      'validate/lib.yaml:4 UNKNOWN_CONFIG_FIELD',
    ]);
    const withDir = flotilla('validate', 'validate/root.yaml', '--workflows', 'workflows');
    expect(withDir.code).toBe(1);
    expect(withDir.out).toContain(
      'validate/root.yaml:4:54  error  [by-name]  no workflow named "elsewhere" in workflows',
    );
    expect(withDir.out).toContain('validate/root.yaml: 2 errors');
  });

  it('accepts a document whose callees are all valid', () => {
    const { code, out } = flotilla('validate', 'main.yaml', '--workflows', 'workflows');
    expect(out).toContain('main.yaml: valid');
    expect(code).toBe(0);
    expect(readFileSync(main, 'utf8')).toContain('type: workflow');
  });
});
