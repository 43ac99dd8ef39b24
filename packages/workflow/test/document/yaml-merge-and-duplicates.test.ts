import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '@flotilla/workflow';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

describe('YAML merge keys (<<) are applied everywhere', () => {
  const merged = yaml(
    'name: merged',
    'variables: &vars',
    '  region: eu',
    '  size: "2"',
    'tasks:',
    '  - &base',
    '    name: first',
    '    type: command',
    '    retry: &retry { attempts: 3, delay: 1s }',
    '    config: &cfg',
    '      command: echo',
    '      args: [one]',
    '  - <<: *base',
    '    name: second',
    '    config:',
    '      <<: *cfg',
    '      args: [two]',
    '  - <<: [*base, { timeout: 45s }]',
    '    name: third',
    '    retry: { <<: *retry, attempts: 5 }',
    '  - name: fourth',
    '    type: command',
    '    config: { <<: [{ command: printf }, *cfg], env: { <<: *vars } }',
  );

  it('merges mappings, lists of mappings, with keys written beside them winning', () => {
    const workflow = expectValid(merged, { steps: testRegistry });
    const [first, second, third, fourth] = workflow.steps;
    expect(second).toMatchObject({ id: 'second', type: 'command', retry: { attempts: 3, delayMs: 1000 } });
    expect(second?.config).toEqual({ command: 'echo', args: ['two'] });
    expect(third).toMatchObject({ id: 'third', timeoutMs: 45_000, retry: { attempts: 5, delayMs: 1000 } });
    expect(third?.config).toEqual(first?.config);
    // in a list of sources the first one that has a key wins (YAML 1.1)
    expect(fourth?.config).toEqual({ command: 'printf', args: ['one'], env: { region: 'eu', size: '2' } });
    expect(JSON.stringify(workflow)).not.toContain('<<');
  });

  it('points at the merged content where it is written', () => {
    const text = merged.replace('      args: [one]', '      argz: [one]');
    const problems = expectProblems(text, { steps: testRegistry });
    // once, at the anchored mapping, although three steps merge it
    expect(positions(problems)).toEqual(['12:7 UNKNOWN_CONFIG_FIELD']);
    expect(problems[0]?.message).toContain('did you mean "args"');
  });

  it('points at a merge value that is not a mapping', () => {
    const text = yaml('name: m', 'tasks:', '  - name: a', '    type: command', '    config: { <<: 5 }');
    expect(positions(expectProblems(text))).toEqual(['5:19 YAML_SYNTAX']);
  });

  it('keeps "<<" an ordinary key in JSON documents and when quoted', () => {
    const json = '{"name": "j", "tasks": [{"name": "a", "type": "x", "config": {"<<": 1}}]}';
    const result = validateWorkflow(json, { format: 'json' });
    expect(result.ok && result.workflow.steps[0]?.config).toEqual({ '<<': 1 });
    const quoted = expectValid(yaml('name: q', 'tasks:', '  - { name: a, type: x, config: { "<<": 1 } }'));
    expect(quoted.steps[0]?.config).toEqual({ '<<': 1 });
  });
});

describe('a key written twice is an error naming the key and both places', () => {
  it('in any mapping of the document', () => {
    const text = yaml(
      'name: dup',
      'tasks:',
      '  - name: a',
      '    type: command',
      '    config:',
      '      command: echo',
      '      args: [x]',
      '      command: printf', //      8:7
      '    name: b', //                9:5
      'name: again', //               10:1
    );
    const problems = expectProblems(text, { steps: testRegistry });
    expect(positions(problems)).toEqual(['8:7 DUPLICATE_KEY', '9:5 DUPLICATE_KEY', '10:1 DUPLICATE_KEY']);
    expect(problems[0]?.message).toBe(
      'duplicate key "command": written at line 6, column 7 and again at line 8, column 7; a key may appear once in a mapping (keep one of them)',
    );
    expect(problems[1]?.message).toContain('duplicate key "name": written at line 3, column 5 and again at line 9');
    expect(problems[2]?.message).toContain('duplicate key "name": written at line 1, column 1 and again at line 10');
  });

  it('but not a key that overrides a merged one, nor several merge keys', () => {
    const text = yaml(
      'name: ok',
      'tasks:',
      '  - &a { name: a, type: command, config: { command: echo } }',
      '  - <<: *a',
      '    <<: { retry: { attempts: 2 } }',
      '    name: b',
    );
    const workflow = expectValid(text, { steps: testRegistry });
    expect(workflow.steps.map((s) => [s.id, s.retry.attempts])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });
});
