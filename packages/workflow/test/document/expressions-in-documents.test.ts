import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '@flotilla/workflow';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

describe('names in templates and expressions', () => {
  it('accepts every context where it exists', () => {
    expectValid(
      yaml(
        'name: ok',
        'inputs: { env: { type: string, default: dev } }',
        'variables: { region: eu, base: "https://example.com" }',
        'secrets: [TOKEN]',
        'tasks:',
        '  - name: check-health',
        '    type: http',
        '    config: { url: "${{ vars.base }}/health?r={{.region}}" }',
        '    outputs: { code: steps.check-health.outputs.status, ok: "${{ steps.check-health.status == \'succeeded\' }}" }',
        '  - name: each',
        '    type: foreach',
        '    config: { items: "${{ [inputs.env, vars.region] }}" }',
        '    tasks:',
        '      - name: per-item',
        '        type: http',
        '        if: ${{ index > 0 && item != agent.name }}',
        '        config: { url: "https://${{ item }}/{{.TOKEN}}?job=${{ job.id }}" }',
        '  - name: maybe',
        '    type: if',
        "    config: { condition: \"agent.labels.role == 'web' && agent.os == 'linux'\" }",
        '    then: [{ name: t, type: http, config: { url: "https://x/${{ steps.each.result }}" } }]',
        'finally:',
        '  - { name: notify, type: alert, config: { severity: info, title: "run ${{ run.status }} [1, 2].map(x, x) ${{ [1, 2].map(x, x * 2).size() }}" } }',
      ),
      { steps: testRegistry },
    );
  });

  it('allows item and index only inside a foreach', () => {
    const text = yaml(
      'name: scope',
      'tasks:',
      '  - name: loop',
      '    type: foreach',
      '    config: { items: "${{ item }}" }',
      '    tasks:',
      '      - { name: inside, type: x, config: { v: "${{ item.name }}-${{ index }}" } }',
      '  - { name: outside, type: x, config: { v: "${{ item }}" } }',
    );
    const problems = expectProblems(text);
    expect(positions(problems)).toEqual(['5:27 UNKNOWN_NAME', '8:49 UNKNOWN_NAME']);
    expect(problems[1]).toMatchObject({ step: 'outside', path: 'tasks[1].config.v' });
  });

  it('reports unknown names with hints at their exact column', () => {
    const problems = expectProblems(
      yaml(
        'name: names',
        'inputs: { environment: {} }',
        'tasks:',
        '  - name: a',
        '    type: x',
        '    if: ${{ input.environment == "x" || inputs.enviroment == "y" }}',
        '    config:',
        '      v: "{{.enviroment}} ${{ steps.b.outputs.x }} ${{ steps.a.output }} ${{ agent.hostname }} ${{ secrets.X }}"',
      ),
    );
    expect(positions(problems)).toEqual([
      '6:13 UNKNOWN_NAME',
      '6:41 UNKNOWN_NAME',
      '8:11 UNKNOWN_NAME',
      '8:31 UNKNOWN_STEP_REFERENCE',
      '8:56 UNKNOWN_NAME',
      '8:78 UNKNOWN_NAME',
      '8:100 UNKNOWN_NAME',
    ]);
    const messages = problems.map((p) => p.message);
    expect(messages[0]).toContain('did you mean "inputs"');
    expect(messages[1]).toContain('did you mean "environment"');
    expect(messages[2]).toContain('did you mean "environment"');
  });

  it('reports expression syntax errors at the offending character', () => {
    const problems = expectProblems(
      yaml(
        'name: syntax',
        'tasks:',
        '  - name: a',
        '    type: x',
        '    config:',
        '      v: "x ${{ 1 + * 2 }} y"',
        '      w: "${{ 1 + 2"',
      ),
    );
    expect(positions(problems)).toEqual(['6:21 EXPRESSION_SYNTAX', '7:11 EXPRESSION_SYNTAX']);
  });

  it('finds positions inside block scalars', () => {
    const problems = expectProblems(
      yaml(
        'name: block',
        'tasks:',
        '  - name: a',
        '    type: x',
        '    config:',
        '      script: |',
        '        echo ok',
        '        echo ${{ nope }}',
      ),
    );
    expect(positions(problems)).toEqual(['8:18 UNKNOWN_NAME']);
  });

  it('warns when a secret reaches the command line of a command step', () => {
    const result = validateWorkflow(
      yaml(
        'name: leak',
        'secrets: [TOKEN]',
        'tasks:',
        '  - name: a',
        '    type: command',
        '    config: { command: "curl -H ${{ secrets.TOKEN }}", env: { T: "{{.TOKEN}}" } }',
      ),
      { steps: testRegistry },
    );
    expect(result.ok).toBe(true);
    expect(positions(result.warnings)).toEqual(['6:37 SECRET_IN_ARGS']);
    expect(result.warnings[0]?.message).toContain('env:');
  });
});

describe('JSON documents', () => {
  it('validates JSON with positions', () => {
    const text = [
      '{',
      '  "name": "json",',
      '  "tasks": [',
      '    { "name": "a", "type": "x", "timeout": "soon" },',
      '    { "name": "b", "type": "x", "config": { "v": "${{ inputs.nope }}" } }',
      '  ]',
      '}',
    ].join('\n');
    const problems = expectProblems(text, { format: 'json' });
    expect(positions(problems)).toEqual(['4:44 BAD_DURATION', '5:55 UNKNOWN_NAME']);
    expect(expectValid('{"name": "j", "tasks": [{"name": "a", "type": "x"}]}', { format: 'json' }).steps).toHaveLength(
      1,
    );
  });

  it('rejects YAML-only syntax when the format is JSON', () => {
    expect(positions(expectProblems('{"name": "j", "tasks": [],}', { format: 'json' }))).toEqual(['1:27 JSON_SYNTAX']);
  });
});
