import { describe, expect, it } from 'vitest';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';

describe('needs', () => {
  it('makes the previous step an implicit dependency; needs: [] starts at once', () => {
    const workflow = expectValid(
      yaml(
        'name: n',
        'tasks:',
        '  - { name: a, type: x }',
        '  - { name: b, type: x }',
        '  - { name: c, type: x, needs: [] }',
        '  - { name: d, type: x, needs: [a, c] }',
        '  - { name: e, type: x, needs: a }',
        'finally:',
        '  - { name: f1, type: x }',
        '  - { name: f2, type: x }',
      ),
    );
    expect(workflow.steps.map((s) => [s.id, s.needs])).toEqual([
      ['a', []],
      ['b', ['a']],
      ['c', []],
      ['d', ['a', 'c']],
      ['e', ['a']],
    ]);
    expect(workflow.finally.map((s) => s.needs)).toEqual([[], ['f1']]);
  });

  it('starts the tasks of a parallel step together and chains other child lists', () => {
    const workflow = expectValid(
      yaml(
        'name: n',
        'tasks:',
        '  - name: fan',
        '    type: parallel',
        '    tasks: [{ name: p1, type: x }, { name: p2, type: x }]',
        '  - name: each',
        '    type: foreach',
        '    config: { items: [1, 2], parallel: 2 }',
        '    tasks: [{ name: e1, type: x }, { name: e2, type: x }]',
      ),
    );
    const [fan, each] = workflow.steps;
    expect(fan?.tasks?.map((s) => s.needs)).toEqual([[], []]);
    expect(each?.needs).toEqual(['fan']);
    expect(each?.tasks?.map((s) => s.needs)).toEqual([[], ['e1']]);
    expect(each?.config).toEqual({ items: [1, 2], parallel: 2 });
  });

  it('names the steps of a cycle, including one closed by an implicit dependency', () => {
    const problems = expectProblems(
      yaml(
        'name: n',
        'tasks:',
        '  - { name: a, type: x }',
        '  - { name: b, type: x, needs: [c] }',
        '  - { name: c, type: x }',
      ),
    );
    expect(positions(problems)).toEqual(['4:32 NEEDS_CYCLE']);
    expect(problems[0]?.message).toContain('b → c → b');
  });

  it('reports a step needing itself and unknown or out-of-list references', () => {
    const problems = expectProblems(
      yaml(
        'name: n',
        'tasks:',
        '  - { name: a, type: x, needs: [a] }',
        '  - name: group',
        '    type: foreach',
        '    config: { items: [1] }',
        '    tasks:',
        '      - { name: inner, type: x, needs: [a, bb] }',
        '  - { name: b, type: x, needs: [grop] }',
      ),
    );
    expect(positions(problems)).toEqual([
      '3:33 NEEDS_CYCLE',
      '8:41 UNKNOWN_STEP_REFERENCE',
      '8:44 UNKNOWN_STEP_REFERENCE',
      '9:33 UNKNOWN_STEP_REFERENCE',
    ]);
    expect(problems[3]?.message).toContain('did you mean "group"');
  });
  it('rejects needs inside a parallel step, whose tasks all start together', () => {
    const problems = expectProblems(
      yaml(
        'name: n',
        'tasks:',
        '  - name: p',
        '    type: parallel',
        '    tasks:',
        '      - { name: a, type: x }',
        '      - { name: b, type: x, needs: [a] }',
      ),
    );
    expect(positions(problems)).toEqual(['7:29 MISPLACED_FIELD']);
  });

  it('refuses YAML alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const name of ['b', 'c', 'd', 'e'])
      bomb.push(
        `${name}: &${name} [${Array(9)
          .fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`)
          .join(', ')}]`,
      );
    expect(positions(expectProblems(yaml(...bomb)))).toEqual(['1:1 YAML_SYNTAX']);
  });
});

describe('ids', () => {
  it('uses id, else name, and rejects duplicates anywhere in the workflow', () => {
    const problems = expectProblems(
      yaml(
        'name: n',
        'tasks:',
        '  - { name: Build it, id: build, type: x }',
        '  - name: branch',
        '    type: if',
        '    config: { condition: true }',
        '    then: [{ name: build, type: x }]',
        '    else: [{ name: other, id: branch, type: x }]',
        'finally:',
        '  - { name: other, type: x }',
      ),
    );
    expect(positions(problems)).toEqual(['7:20 DUPLICATE_ID', '8:31 DUPLICATE_ID']);
  });

  it('rejects ids that expressions could not name', () => {
    expect(positions(expectProblems(yaml('name: n', 'tasks:', '  - { name: a, id: "1 bad", type: x }')))).toEqual([
      '3:20 INVALID_VALUE',
    ]);
  });
});
