import { describe, expect, it } from 'vitest';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

/** `{{.X}}` and `${{ }}` in the workflow's name and description and in step names. */
describe('templates in names are validated like any other template', () => {
  it('accepts names that read inputs, variables and (in steps) the other contexts', () => {
    const text = yaml(
      'name: deploy-{{.ENVIRONMENT}}',
      'description: "Deploy ${{ vars.app }} to ${{ inputs.ENVIRONMENT }}"',
      'inputs: { ENVIRONMENT: { default: staging } }',
      'variables: { app: shop }',
      'tasks:',
      '  - name: build {{.app}}',
      '    type: command',
      '    config: { command: echo }',
      '  - name: each',
      '    type: foreach',
      '    config: { items: [a, b] }',
      '    tasks:',
      '      - { name: "host ${{ item }} after ${{ steps[\'build {{.app}}\'].status }}", type: command, config: { command: echo } }',
    );
    const workflow = expectValid(text, { steps: testRegistry });
    // compiled as written: placeholders are resolved per run
    expect(workflow.name).toBe('deploy-{{.ENVIRONMENT}}');
    // a name without an `id` stays the step's id as written
    expect(workflow.steps[0]?.id).toBe('build {{.app}}');
  });

  it('reports unknown names, syntax errors and secrets at line:column', () => {
    const text = yaml(
      'name: deploy-{{.ENVIRONMNT}}', //                  1:14  UNKNOWN_NAME
      'description: "for ${{ steps.a.outputs.x }}"', //    2:23  UNKNOWN_NAME (no steps yet)
      'inputs: { ENVIRONMENT: { default: staging } }',
      'secrets: [TOKEN]',
      'tasks:',
      '  - name: "a {{.TOKEN}}"', //                       6:14  SECRET_IN_NAME
      '    id: a',
      '    type: command',
      '    config: { command: echo }',
      '  - name: "b ${{ inputs.nope }}"', //               10:18 UNKNOWN_NAME
      '    type: command',
      '    config: { command: echo }',
      '  - name: "c ${{ 1 + }}"', //                       13:21 EXPRESSION_SYNTAX
      '    type: command',
      '    config: { command: echo }',
    );
    const problems = expectProblems(text, { steps: testRegistry });
    expect(positions(problems)).toEqual([
      '1:14 UNKNOWN_NAME',
      '2:23 UNKNOWN_NAME',
      '6:14 SECRET_IN_NAME',
      '10:18 UNKNOWN_NAME',
      '13:21 EXPRESSION_SYNTAX',
    ]);
    expect(problems[0]?.message).toContain('did you mean "ENVIRONMENT"');
    expect(problems[1]?.message).toContain('resolved when the run starts, from inputs and vars');
    expect(problems[2]).toMatchObject({ step: 'a', path: 'tasks[0].name' });
  });

  it('refuses secrets in the workflow name through expressions too', () => {
    const text = yaml(
      'name: "x ${{ secrets.TOKEN }}"',
      'secrets: [TOKEN]',
      'tasks:',
      '  - { name: a, type: command, config: { command: echo } }',
    );
    expect(positions(expectProblems(text, { steps: testRegistry }))).toEqual(['1:14 SECRET_IN_NAME']);
  });
});
