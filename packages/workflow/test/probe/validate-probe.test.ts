import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '@flotilla/workflow';
import { expectProblems, expectValid, positions, yaml } from '../document/helpers.js';
import { testRegistry } from '../document/registry.js';

const steps = new Map([
  ...testRegistry,
  ['command', { configSchema: testRegistry.get('http')!.configSchema }],
  ['ssh', { configSchema: testRegistry.get('http')!.configSchema }],
]);

describe('probe documents: recognised and validated', () => {
  it('a document with top-level jobs: is compiled to probe jobs and steps', () => {
    const workflow = expectValid(
      yaml(
        'name: API check',
        'vars:',
        '  url: "{{URL ?? \'http://localhost:8080\'}}"',
        'jobs:',
        '- name: Setup',
        '  id: setup',
        '  defaults:',
        '    http: { url: "{{vars.url}}", headers: { accept: application/json } }',
        '  steps:',
        '  - name: Get',
        '    id: get',
        '    uses: http',
        '    with: { get: /get, headers: { x-a: "1" } }',
        '    test: res.code == 200',
        '    outputs: { code: res.code, ready: true }',
        '    retry: { max_attempts: 3, interval: 500ms, initial_delay: 1s }',
        '    wait: 2',
        '    timeout: 10s',
        '- name: Check',
        '  needs: [setup]',
        '  repeat: { count: 3, interval: 1s, async: true }',
        '  steps:',
        '  - uses: hello',
        '    iteration: [{ a: 1 }, { a: 2 }]',
        '    skipif: vars.url == ""',
      ),
      { steps },
    );
    expect(workflow).toMatchObject({ name: 'API check', afterFailure: 'skip-dependents', timeoutMs: 0 });
    expect(workflow.probe?.vars).toEqual({ url: "{{URL ?? 'http://localhost:8080'}}" });
    const [setup, check] = workflow.steps;
    expect(setup).toMatchObject({ id: 'setup', type: 'probe-job', needs: [], probe: { kind: 'job' } });
    expect(setup?.tasks?.[0]).toMatchObject({
      id: 'get',
      type: 'http',
      timeoutMs: 10_000,
      probe: {
        kind: 'step',
        action: 'http',
        with: { url: '{{vars.url}}', get: '/get', headers: { accept: 'application/json', 'x-a': '1' } },
        test: 'res.code == 200',
        outputs: { code: 'res.code', ready: 'true' },
        publishAs: 'get',
        waitMs: 2000,
        retry: { maxAttempts: 3, intervalMs: 500, initialDelayMs: 1000 },
      },
    });
    expect(check).toMatchObject({
      id: 'Check',
      needs: ['setup'],
      probe: { kind: 'job', repeat: { count: 3, intervalMs: 1000, async: true } },
    });
    expect(check?.tasks?.[0]).toMatchObject({
      id: 'step_0',
      type: 'probe-hello',
      probe: { iteration: [{ a: 1 }, { a: 2 }] },
    });
  });

  it('jobs without an id are known by their name (made unique as probe does)', () => {
    const workflow = expectValid(
      yaml(
        'name: ids',
        'jobs:',
        '- { name: same, steps: [{ uses: hello }] }',
        '- { name: same, steps: [{ uses: hello }] }',
        '- { name: last, needs: [same, same-1], steps: [{ uses: hello }] }',
      ),
    );
    expect(workflow.steps.map((j) => [j.id, j.needs])).toEqual([
      ['same', []],
      ['same-1', []],
      ['last', ['same', 'same-1']],
    ]);
  });

  it('reports every problem at its line and column, with stable codes', () => {
    const problems = expectProblems(
      yaml(
        'name: broken', // 1
        'actions: { greet: ./greet }', // 2
        'jobs:', // 3
        '- name: one', // 4
        '  id: one', // 5
        '  needs: [tow]', // 6
        '  steps:', // 7
        '  - uses: htp', // 8
        '  - uses: browser', // 9
        '  - uses: http', // 10
        '    with: { url: "http://x", cookies: { a: b }, tmeout: 3s }', // 11
        '    test: res.code == &&', // 12
        '    retry: { max_attempts: 0 }', // 13
        '- name: two', // 14
        '  id: one', // 15
        '  stepz: []', // 16
      ),
      { steps },
    );
    expect(positions(problems)).toEqual([
      '2:1 UNSUPPORTED_FIELD',
      '6:11 UNKNOWN_STEP_REFERENCE',
      '8:11 UNKNOWN_ACTION',
      '9:11 UNSUPPORTED_ACTION',
      '11:30 UNSUPPORTED_FIELD',
      '11:49 UNKNOWN_CONFIG_FIELD',
      '12:23 EXPRESSION_SYNTAX',
      '13:28 INVALID_VALUE',
      '14:3 MISSING_FIELD',
      '15:7 DUPLICATE_ID',
      '16:3 UNKNOWN_FIELD',
    ]);
    const byCode = (code: string) => problems.find((p) => p.code === code)?.message;
    expect(byCode('UNKNOWN_ACTION')).toContain('did you mean "http"');
    expect(byCode('UNKNOWN_CONFIG_FIELD')).toContain('did you mean "timeout"');
    expect(byCode('UNSUPPORTED_ACTION')).toContain('browser');
    expect(byCode('UNKNOWN_FIELD')).toContain('did you mean "steps"');
  });

  it('each unsupported action is refused by name', () => {
    for (const action of ['browser', 'grpc', 'imap', 'mail-latency']) {
      const problems = expectProblems(yaml('name: x', 'jobs:', '- name: j', '  steps:', `  - uses: ${action}`));
      expect(problems).toEqual([
        expect.objectContaining({ line: 5, column: 11, code: 'UNSUPPORTED_ACTION', path: 'jobs[0].steps[0].uses' }),
      ]);
      expect(problems[0]?.message).toContain(`"${action}"`);
    }
  });

  it('a field in the job defaults is reported where the defaults write it', () => {
    const problems = expectProblems(
      yaml(
        'name: x',
        'jobs:',
        '- name: j',
        '  defaults:',
        '    http: { url: "http://x", keep_cookies: true }',
        '  steps:',
        '  - { uses: http, with: { get: /a } }',
      ),
      { steps },
    );
    expect(positions(problems)).toEqual(['5:30 UNSUPPORTED_FIELD']);
    expect(problems[0]?.path).toBe('jobs[0].defaults.http.keep_cookies');
  });

  it('templated values are judged once rendered; literal ones now', () => {
    expectValid(
      yaml(
        'name: x',
        'jobs:',
        '- name: j',
        '  steps:',
        '  - { uses: shell, with: { cmd: echo, timeout: "{{vars.t}}" } }',
      ),
    );
    const problems = expectProblems(
      yaml('name: x', 'jobs:', '- name: j', '  steps:', '  - { uses: shell, with: { cmd: echo, shell: /bin/fish } }'),
    );
    expect(positions(problems)).toEqual(['5:46 INVALID_CONFIG']);
  });

  it('cycles between jobs and outputs without an id', () => {
    const result = validateWorkflow(
      yaml(
        'name: x',
        'jobs:',
        '- { name: a, id: a, needs: [b], steps: [{ uses: hello }] }',
        '- { name: b, id: b, needs: [a], steps: [{ uses: hello, outputs: { x: "1" } }] }',
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(positions(result.problems)).toEqual(['3:28 NEEDS_CYCLE']);
    expect(result.problems[0]?.message).toContain('a → b → a');
    expect(positions(result.warnings)).toEqual(['4:56 MISSING_FIELD']);
  });

  it('a name outside the expression context is a warning (probe reads it as nil)', () => {
    const text = yaml('name: x', 'jobs:', '- name: j', '  steps:', '  - uses: hello', '    test: rse.code == 0');
    const result = validateWorkflow(text);
    expect(result.ok).toBe(true);
    expect(positions(result.warnings)).toEqual(['6:11 UNKNOWN_NAME']);
  });

  it('a Flotilla document is unaffected', () => {
    const workflow = expectValid(yaml('name: f', 'tasks:', '  - { name: a, type: http, config: { url: "http://x" } }'));
    expect(workflow.probe).toBeUndefined();
    expect(workflow.afterFailure).toBeUndefined();
  });
});
