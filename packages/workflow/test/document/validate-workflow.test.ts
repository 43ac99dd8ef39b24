import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '@flotilla/workflow';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

const fixture = (name: string): string => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('validateWorkflow: documents that are valid', () => {
  it('accepts the simple task-list style unchanged', () => {
    const text = yaml(
      'name: simple',
      'timeout: 10m',
      'variables:',
      '  greeting: hello',
      'tasks:',
      '  - name: say-hello',
      '    type: command',
      '    timeout: 30s',
      '    config:',
      '      command: echo',
      '      args: ["{{.greeting}}"]',
      '  - name: pause',
      '    type: sleep',
      '    config:',
      '      duration: 1s',
    );
    for (const options of [undefined, { steps: testRegistry }]) {
      const workflow = expectValid(text, options);
      expect(workflow.timeoutMs).toBe(600_000);
      expect(workflow.variables).toEqual({ greeting: 'hello' });
      expect(workflow.steps.map((s) => [s.id, s.needs, s.timeoutMs])).toEqual([
        ['say-hello', [], 30_000],
        ['pause', ['say-hello'], 300_000],
      ]);
      expect(workflow.steps[0]?.config).toEqual({ command: 'echo', args: ['{{.greeting}}'] });
      expect(workflow.steps[1]?.location).toEqual({ line: 12, column: 5 });
    }
  });

  it('accepts the comprehensive example of SPEC §5.1 with every secret it uses declared', () => {
    const workflow = expectValid(fixture('comprehensive.yaml'), { steps: testRegistry });
    expect(workflow.onFailure).toBe('rollback');
    expect(workflow.timeoutMs).toBe(1_800_000);
    expect(workflow.inputs.environment).toEqual({
      type: 'string',
      required: false,
      default: 'staging',
      enum: ['staging', 'production'],
      description: undefined,
    });
    const [health, backup, deploy] = workflow.steps;
    expect(health?.retry).toEqual({ attempts: 3, delayMs: 2000, backoff: 'exponential', maxDelayMs: 30_000 });
    expect(backup?.needs).toEqual(['check-health']);
    expect(deploy?.condition).toBe("${{ inputs.environment == 'production' }}");
    expect(deploy?.rollback).toMatchObject({ id: 'deploy-rollback', type: 'ssh', needs: [] });
    expect(workflow.finally.map((s) => s.id)).toEqual(['notify']);
  });

  it('reports the undeclared DB_USER of the SPEC example verbatim', () => {
    const text = fixture('comprehensive.yaml').replace('secrets: [DB_USER, DB_PASSWORD]', 'secrets: [DB_PASSWORD]');
    const problems = expectProblems(text, { steps: testRegistry });
    expect(problems).toEqual([
      expect.objectContaining({
        line: 25,
        column: 13,
        code: 'UNKNOWN_NAME',
        step: 'backup-database',
        path: 'tasks[1].config.dsn',
      }),
    ]);
  });

  it('resolves the aliases vars, steps and with', () => {
    const workflow = expectValid(
      yaml(
        'name: aliases',
        'vars: { who: world }',
        'steps:',
        '  - name: hi',
        '    type: command',
        '    with: { command: echo, args: ["{{.who}}"] }',
      ),
      { steps: testRegistry },
    );
    expect(workflow.variables).toEqual({ who: 'world' });
    expect(workflow.steps[0]?.config).toEqual({ command: 'echo', args: ['{{.who}}'] });
  });

  it('applies the defaults', () => {
    const workflow = expectValid(yaml('name: d', 'tasks:', '  - { name: a, type: x }'));
    expect(workflow.timeoutMs).toBe(3_600_000);
    expect(workflow.onFailure).toBe('stop');
    expect(workflow.steps[0]).toMatchObject({
      timeoutMs: 300_000,
      retry: { attempts: 1, backoff: 'fixed' },
      continueOnError: false,
      onInterrupt: 'fail',
      outputs: {},
      config: {},
    });
  });
});

describe('validateWorkflow: every problem at once', () => {
  it('lists all mistakes of a document with their exact line and column', () => {
    const text = yaml(
      'name: broken', //                                     1
      'timout: 10m', //                                      2  UNKNOWN_FIELD 2:1
      'inputs:', //                                          3
      '  env: { type: string, default: dev }', //            4
      'secrets: [TOKEN]', //                                 5
      'tasks:', //                                           6
      '  - name: fetch', //                                  7
      '    type: htp', //                                    8  UNKNOWN_STEP_TYPE 8:11
      '    config: { url: https://example.com }', //         9
      '  - name: wait', //                                  10
      '    type: sleep', //                                 11
      '    timeout: 5 minutes', //                          12  BAD_DURATION 12:14
      '    config:', //                                     13
      '      duration: 10s', //                             14
      '      extra: 1', //                                  15  UNKNOWN_CONFIG_FIELD 15:7
      '  - name: query', //                                 16
      '    type: db', //                                    17
      '    needs: [fetch, missing]', //                     18  UNKNOWN_STEP_REFERENCE 18:20
      '    with:', //                                       19
      '      driver: oracle', //                            20  INVALID_CONFIG 20:15; MISSING_FIELD dsn 20:7
      '      query: SELECT 1', //                           21
      '  - name: say', //                                   22
      '    type: command', //                               23
      "    if: ${{ inputs.environment == 'prod' }}", //     24  UNKNOWN_NAME 24:13
      '    config:', //                                     25
      '      command: echo', //                             26
      '      args: ["{{.TOKEN}}", "${{ 1 + }}"]', //        27  SECRET_IN_ARGS (warning) 27:15, EXPRESSION_SYNTAX 27:36
      '  - name: fetch', //                                 28  DUPLICATE_ID 28:11
      '    type: sleep', //                                 29
      '    config: { duration: "{{.nope}}" }', //           30  UNKNOWN_NAME 30:26
    );
    const result = validateWorkflow(text, { steps: testRegistry });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(positions(result.problems)).toEqual([
      '2:1 UNKNOWN_FIELD',
      '8:11 UNKNOWN_STEP_TYPE',
      '12:14 BAD_DURATION',
      '15:7 UNKNOWN_CONFIG_FIELD',
      '18:20 UNKNOWN_STEP_REFERENCE',
      '20:7 MISSING_FIELD',
      '20:15 INVALID_CONFIG',
      '24:13 UNKNOWN_NAME',
      '27:36 EXPRESSION_SYNTAX',
      '28:11 DUPLICATE_ID',
      '30:26 UNKNOWN_NAME',
    ]);
    expect(positions(result.warnings)).toEqual(['27:15 SECRET_IN_ARGS']);
    const byCode = Object.fromEntries(result.problems.map((p) => [p.code, p]));
    expect(byCode.UNKNOWN_FIELD?.message).toContain('did you mean "timeout"');
    expect(byCode.UNKNOWN_STEP_TYPE).toMatchObject({ step: 'fetch', path: 'tasks[0].type' });
    expect(byCode.UNKNOWN_STEP_TYPE?.message).toContain('did you mean "http"');
    expect(byCode.MISSING_FIELD).toMatchObject({ step: 'query', path: 'tasks[2].with.dsn' });
    expect(byCode.EXPRESSION_SYNTAX?.step).toBe('say');
  });

  it('reports a missing name and type, and a wrong top-level type', () => {
    const problems = expectProblems(
      yaml('name: 3', 'on_failure: sometimes', 'tasks:', '  - config: {}', '  - name: b', '    type: [x]'),
    );
    expect(positions(problems)).toEqual([
      '1:7 INVALID_TYPE',
      '2:13 INVALID_VALUE',
      '4:5 MISSING_FIELD',
      '4:5 MISSING_FIELD',
      '6:11 INVALID_TYPE',
    ]);
    expect(problems.map((p) => p.message).join('\n')).toMatch(
      /missing required field "name"[\s\S]*missing required field "type"/,
    );
  });

  it('reports YAML syntax errors with their position and nothing else', () => {
    const problems = expectProblems(yaml('name: x', 'tasks: [a, b', 'other: 1'));
    expect(problems.every((p) => p.code === 'YAML_SYNTAX')).toBe(true);
    expect(problems[0]).toMatchObject({ line: 3, column: 1 });
  });

  it('rejects using an alias together with its canonical name', () => {
    const problems = expectProblems(
      yaml(
        'name: x',
        'vars: { a: 1 }',
        'variables: { b: 2 }',
        'tasks:',
        '  - { name: s, type: x, config: {}, with: {} }',
      ),
    );
    expect(positions(problems)).toEqual(['2:1 DUPLICATE_FIELD', '5:37 DUPLICATE_FIELD']);
  });

  it('rejects placeholders inside variables, which are never resolved there', () => {
    const problems = expectProblems(
      yaml('name: x', 'inputs: { env: {} }', 'variables: { url: "https://{{.env}}", n: 1 }', 'tasks: []'),
    );
    expect(positions(problems)).toEqual(['3:19 INVALID_VALUE']);
  });

  it('requires a task list', () => {
    expect(positions(expectProblems('name: x\n'))).toEqual(['1:1 MISSING_FIELD']);
  });

  it('checks input defaults against their type and enum', () => {
    const problems = expectProblems(
      yaml(
        'name: x',
        'inputs:',
        '  n: { type: number, default: "3" }',
        '  e: { enum: [a, b], default: c }',
        'tasks: []',
      ),
    );
    expect(positions(problems)).toEqual(['3:31 INVALID_VALUE', '4:31 INVALID_VALUE']);
  });
});

describe('validateWorkflow: step configs', () => {
  it('skips schema checks for values resolved at run time', () => {
    expectValid(
      yaml(
        'name: t',
        'inputs: { port: { type: number }, hosts: { type: array } }',
        'tasks:',
        '  - name: s',
        '    type: ssh',
        '    config: { host: "{{.hosts}}", port: "${{ inputs.port }}", user: u }',
        '  - name: c',
        '    type: command',
        '    config: { command: ls, args: "${{ inputs.hosts }}" }',
      ),
      { steps: testRegistry },
    );
  });

  it('reports wrong types in configs at the value', () => {
    const problems = expectProblems(
      yaml('name: t', 'tasks:', '  - name: s', '    type: ssh', '    config: { host: h, user: u, port: "twenty" }'),
      { steps: testRegistry },
    );
    expect(positions(problems)).toEqual(['5:39 INVALID_CONFIG']);
  });

  it('checks control steps without a registry', () => {
    const problems = expectProblems(
      yaml(
        'name: c',
        'tasks:',
        '  - name: maybe',
        '    type: if',
        '    config: { condition: "${{ true }}" }',
        '    tasks: []',
        '  - name: each',
        '    type: foreach',
        '    config: { parallel: 0 }',
        '  - name: call',
        '    type: workflow',
        '    config: { name: other, version: 2, inputs: { a: 1 } }',
      ),
    );
    expect(positions(problems)).toEqual([
      '3:5 MISSING_FIELD', // if without then
      '6:5 MISPLACED_FIELD', // tasks on an if step
      '7:5 MISSING_FIELD', // foreach without tasks
      '9:13 MISSING_FIELD', // foreach without items (at the config mapping)
      '9:25 INVALID_CONFIG', // parallel: 0
    ]);
  });
});
