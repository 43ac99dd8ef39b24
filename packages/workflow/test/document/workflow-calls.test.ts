import { describe, expect, it } from 'vitest';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';

describe('validation of type: workflow steps and workflow outputs', () => {
  it('collects call sites with the positions of the target and of each input', () => {
    const workflow = expectValid(
      yaml(
        'name: caller',
        'tasks:',
        '  - name: by-path',
        '    type: workflow',
        '    config: { path: lib/deploy.yaml, inputs: { env: prod, n: "${{ 1 + 1 }}" } }',
        'finally:',
        '  - name: by-name',
        '    type: workflow',
        '    with:',
        '      name: notify',
        '      version: 3',
      ),
    );
    expect(workflow.calls).toEqual([
      {
        step: 'by-path',
        configPath: 'tasks[0].config',
        target: { path: 'lib/deploy.yaml' },
        location: { line: 3, column: 5 },
        targetLocation: { line: 5, column: 21 },
        inputs: [
          {
            name: 'env',
            value: 'prod',
            templated: false,
            keyLocation: { line: 5, column: 48 },
            location: { line: 5, column: 53 },
          },
          {
            name: 'n',
            value: '${{ 1 + 1 }}',
            templated: true,
            keyLocation: { line: 5, column: 59 },
            location: { line: 5, column: 62 },
          },
        ],
        inputsLocation: { line: 5, column: 46 },
      },
      {
        step: 'by-name',
        configPath: 'finally[0].with',
        target: { name: 'notify', version: 3 },
        location: { line: 7, column: 5 },
        targetLocation: { line: 10, column: 13 },
        inputs: [],
        inputsLocation: { line: 10, column: 7 },
      },
    ]);
  });

  it('refuses a call that names no callee, both kinds, a version with a path, and templated targets', () => {
    const problems = expectProblems(
      yaml(
        'name: caller',
        'inputs: { which: { type: string } }',
        'tasks:',
        '  - { name: none, type: workflow, config: { inputs: {} } }',
        '  - { name: both, type: workflow, config: { name: a, path: a.yaml } }',
        '  - { name: versioned-file, type: workflow, config: { path: a.yaml, version: 2 } }',
        '  - { name: templated, type: workflow, config: { name: "{{.which}}" } }',
      ),
    );
    expect(positions(problems)).toEqual([
      '4:43 MISSING_FIELD',
      '5:60 INVALID_CONFIG',
      '6:69 MISPLACED_FIELD',
      '7:56 INVALID_CONFIG',
    ]);
    expect(problems[3]?.message).toContain('cannot hold a template');
  });

  it('checks workflow outputs: names, references, and "steps" is taken', () => {
    const problems = expectProblems(
      yaml(
        'name: lib',
        'outputs:',
        '  ok: steps.build.outputs.exit_code == 0',
        '  steps: steps.build.outputs',
        '  bad: steps.biuld.outputs.x',
        '  "no way": "1"',
        'tasks:',
        '  - { name: build, type: if, config: { condition: true }, then: [] }',
      ),
    );
    expect(positions(problems)).toEqual(['4:3 INVALID_VALUE', '5:8 UNKNOWN_STEP_REFERENCE', '6:3 INVALID_VALUE']);
    const compiled = expectValid(yaml('name: lib', 'outputs: { x: "1 + 1" }', 'tasks: []'));
    expect(compiled.outputs).toEqual({ x: '1 + 1' });
  });
});
