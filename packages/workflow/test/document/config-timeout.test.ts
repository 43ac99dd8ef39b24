import { describe, expect, it } from 'vitest';
import { expectProblems, expectValid, positions, yaml } from './helpers.js';
import { testRegistry } from './registry.js';

/** `timeout` inside `config` is the step's timeout, for every step type (the simple task-list style). */
describe('config.timeout is the step timeout', () => {
  it('is accepted for every type, control steps included, and becomes the step timeout', () => {
    const text = yaml(
      'name: timeouts',
      'tasks:',
      '  - name: cmd',
      '    type: command',
      '    config: { command: echo, timeout: 10s }',
      '  - name: ssh',
      '    type: ssh',
      '    with: { host: h, user: u, command: uptime, timeout: 90 }',
      '  - name: get',
      '    type: http',
      '    config: { url: "https://example.com", timeout: 1m30s }',
      '  - name: loop',
      '    type: foreach',
      '    config: { items: [1], timeout: 2m }',
      '    tasks:',
      '      - { name: inner, type: sleep, config: { duration: 1s } }',
      '  - name: plain',
      '    type: sleep',
      '    config: { duration: 1s }',
    );
    const workflow = expectValid(text, { steps: testRegistry });
    expect(workflow.steps.map((s) => [s.id, s.timeoutMs])).toEqual([
      ['cmd', 10_000],
      ['ssh', 90_000],
      ['get', 90_000],
      ['loop', 120_000],
      ['plain', 300_000],
    ]);
    // the step types never see it
    expect(workflow.steps.map((s) => 'timeout' in s.config)).toEqual([false, false, false, false, false]);
    expect(workflow.steps[0]?.config).toEqual({ command: 'echo' });
  });

  it('refuses a step that sets both, at the one written second, naming the first', () => {
    const text = yaml(
      'name: both',
      'tasks:',
      '  - name: a',
      '    type: command',
      '    timeout: 30s',
      '    config:',
      '      command: echo',
      '      timeout: 10s', //   8:7 the second one
      '  - name: b',
      '    type: command',
      '    config: { command: echo, timeout: 10s }',
      '    timeout: 30s', //     12:5 the second one
    );
    const problems = expectProblems(text, { steps: testRegistry });
    expect(positions(problems)).toEqual(['8:7 DUPLICATE_FIELD', '12:5 DUPLICATE_FIELD']);
    expect(problems[0]?.path).toBe('tasks[0].config.timeout');
    expect(problems[0]?.message).toContain('first at line 5, column 5');
    expect(problems[1]?.path).toBe('tasks[1].timeout');
    expect(problems[1]?.message).toContain('first at line 11, column 30');
  });

  it('must be a duration, and not a template (the timeout is fixed before the run starts)', () => {
    const text = yaml(
      'name: bad',
      'inputs: { t: { default: 10s } }',
      'tasks:',
      '  - { name: a, type: command, config: { command: echo, timeout: soon } }',
      '  - { name: b, type: command, config: { command: echo, timeout: "{{.t}}" } }',
    );
    const problems = expectProblems(text, { steps: testRegistry });
    expect(positions(problems)).toEqual(['4:65 BAD_DURATION', '5:65 BAD_DURATION']);
    expect(problems[0]?.message).toContain('"soon" is not a duration');
    expect(problems[1]?.message).toContain('not a template');
  });

  it('is checked the same without a registry (structure only)', () => {
    const workflow = expectValid(yaml('name: s', 'tasks:', '  - { name: a, type: x, config: { timeout: 5s } }'));
    expect(workflow.steps[0]?.timeoutMs).toBe(5000);
    expect(workflow.steps[0]?.config).toEqual({});
  });
});
