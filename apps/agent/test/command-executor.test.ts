import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@flotilla/protocol';
import { createCommandExecutor } from '../src/jobs/command-executor.js';
import { parseCommandWorkflow } from '../src/jobs/command-workflow.js';
import { FlotillaError } from '@flotilla/protocol';

function payload(workflow: string) {
  return { jobId: 'j', runId: 'r', agentId: 'a', workflow, inputs: {}, issuedAt: new Date().toISOString(), secrets: {}, completedSteps: {} };
}

async function execute(workflow: string, signal = new AbortController().signal) {
  const events: RunEvent[] = [];
  const executor = createCommandExecutor({ killGraceMs: 200 });
  const result = await executor.execute(payload(workflow), { emit: (e) => events.push(e) }, signal);
  return { result, events };
}

describe('parseCommandWorkflow', () => {
  it('reads command steps with config/with aliases, args, shell, env and timeouts', () => {
    const steps = parseCommandWorkflow(`
name: t
steps:
  - name: a
    type: command
    with: { command: echo, args: [hi, 3] }
  - name: b
    id: bee
    type: command
    timeout: 30s
    config: { command: "echo $X", shell: true, env: { X: 1 }, cwd: /tmp }
`);
    expect(steps).toEqual([
      { id: 'a', file: 'echo', args: ['hi', '3'], cwd: undefined, env: {}, timeoutMs: 300_000 },
      { id: 'bee', file: '/bin/sh', args: ['-c', 'echo $X'], cwd: '/tmp', env: { X: '1' }, timeoutMs: 30_000 },
    ]);
  });

  it.each([
    ['name: [', 'YAML'],
    ['tasks: []', 'name'],
    ['name: t\ntasks: []', 'tasks'],
    ['name: t\ntasks:\n  - name: a\n    type: http\n    config: { url: x }', 'tasks.0.type'],
    ['name: t\ntasks:\n  - name: a\n    type: command', 'tasks.0.config'],
    [
      'name: t\ntasks:\n  - name: a\n    type: command\n    config: { command: x, shell: true, args: [y] }',
      'tasks.0.config.args',
    ],
    [
      'name: t\ntasks:\n  - name: a\n    type: command\n    config: { command: x, timeout: soon }',
      'tasks.0.config.timeout',
    ],
  ])('rejects %j with WORKFLOW_INVALID', (text, where) => {
    try {
      parseCommandWorkflow(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FlotillaError);
      expect((err as FlotillaError).code).toBe('WORKFLOW_INVALID');
      expect(JSON.stringify((err as FlotillaError).errors ?? (err as Error).message)).toContain(where);
    }
  });
});

describe('command executor', () => {
  it('runs steps in order and streams their lines', async () => {
    const { result, events } = await execute(`
name: t
tasks:
  - { name: one, type: command, config: { command: echo, args: [hi] } }
  - { name: two, type: command, config: { command: "echo err >&2; echo out", shell: true } }
`);
    expect(result).toEqual({ state: 'succeeded', exitCode: 0 });
    expect(events.map((e) => [e.kind, 'step' in e ? e.step : '', 'line' in e ? e.line : ''])).toEqual([
      ['step.started', 'one', ''],
      ['log', 'one', 'hi'],
      ['step.finished', 'one', ''],
      ['step.started', 'two', ''],
      expect.anything(),
      expect.anything(),
      ['step.finished', 'two', ''],
    ]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'log', step: 'two', stream: 'stderr', line: 'err' }));
  });

  it('stops at the first failure with that step’s exit code', async () => {
    const { result, events } = await execute(`
name: t
tasks:
  - { name: fail, type: command, config: { command: sh, args: [-c, 'exit 3'] } }
  - { name: never, type: command, config: { command: echo, args: [no] } }
`);
    expect(result).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'step.finished', step: 'fail', status: 'failed', exitCode: 3 }),
    );
    expect(events.some((e) => 'step' in e && e.step === 'never')).toBe(false);
  });

  it('times a step out and reports timed_out', async () => {
    const { result } = await execute(
      'name: t\ntasks:\n  - { name: slow, type: command, timeout: 200ms, config: { command: sleep, args: [100] } }',
    );
    expect(result.state).toBe('timed_out');
  });

  it('fails the run for an invalid document without running anything', async () => {
    const { result, events } = await execute('name: t\ntasks:\n  - { name: x, type: nope }');
    expect(result).toMatchObject({ state: 'failed', exitCode: null });
    expect(result.error).toMatch(/^WORKFLOW_INVALID/);
    expect(events).toEqual([]);
  });

  it('distinguishes cancel from agent shutdown by the abort reason', async () => {
    const doc = 'name: t\ntasks:\n  - { name: slow, type: command, config: { command: sleep, args: [100] } }';
    const cancel = new AbortController();
    setTimeout(() => {
      cancel.abort(new FlotillaError('CANCELLED'));
    }, 100);
    expect((await execute(doc, cancel.signal)).result.state).toBe('cancelled');
    const stop = new AbortController();
    setTimeout(() => {
      stop.abort(new FlotillaError('INTERRUPTED'));
    }, 100);
    expect((await execute(doc, stop.signal)).result.state).toBe('interrupted');
  });

  it('does not leak the enrolment token into steps', async () => {
    process.env.FLOTILLA_ENROLL_TOKEN = 'secret-token';
    try {
      const { events } = await execute('name: t\ntasks:\n  - { name: env, type: command, config: { command: env } }');
      const lines = events.flatMap((e) => (e.kind === 'log' ? [e.line] : []));
      expect(lines.some((l) => l.startsWith('PATH='))).toBe(true);
      expect(lines.some((l) => l.includes('secret-token'))).toBe(false);
    } finally {
      delete process.env.FLOTILLA_ENROLL_TOKEN;
    }
  });
});
