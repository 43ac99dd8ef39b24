import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobPayload, RunEvent } from '@flotilla/protocol';
import { spawnDirectly } from '@flotilla/steps';
import { createEngineExecutor, type EngineExecutor } from '../src/jobs/engine-executor.js';
import { parsePolicy } from '../src/policy/policy-file.js';
import type { PolicySource } from '../src/policy/policy-store.js';
import { tempDirs } from './helpers/temp-dir.js';

const dirs = tempDirs();
const executors: EngineExecutor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
  await dirs.cleanup();
});

async function setup(policyYaml = '') {
  const dataDir = await dirs.make();
  const policy = parsePolicy(policyYaml, { dataDir, source: 'test' });
  const source: PolicySource = { current: () => policy };
  const executor = await createEngineExecutor({ dataDir, policy: source, launch: spawnDirectly, abortGraceMs: 1000 });
  executors.push(executor);
  const events: RunEvent[] = [];
  const run = (workflow: string, extra: Partial<JobPayload> = {}, signal = new AbortController().signal) =>
    executor.execute(
      {
        jobId: 'job-1',
        runId: 'run-1',
        agentId: 'agent-1',
        workflow,
        inputs: {},
        issuedAt: new Date().toISOString(),
        secrets: {},
        completedSteps: {},
        ...extra,
      },
      { emit: (event) => events.push(event) },
      signal,
    );
  return { dataDir, events, run };
}

const finishedSteps = (events: RunEvent[]) =>
  Object.fromEntries(
    events.flatMap((e) => (e.kind === 'step.finished' ? [[e.step, { status: e.status, error: e.error }]] : [])),
  );

describe('EngineExecutor', () => {
  it('runs a multi-step workflow with needs, outputs and templating', async () => {
    const { events, run } = await setup();
    const workflow = `
name: multi
inputs:
  who: { type: string, default: world }
tasks:
  - name: a
    type: command
    config: { command: echo, args: ["hello {{.who}}"] }
    outputs: { greeting: "\${{ steps.a.outputs.stdout }}" }
  - name: b
    needs: []
    type: command
    config: { command: echo, args: ["from b"] }
  - name: c
    needs: [a, b]
    type: command
    config: { command: sh, args: [-c, 'echo "$0 + $1"; exit 4', "\${{ steps.a.outputs.greeting }}", "\${{ steps.b.outputs.stdout }}"] }
`;
    const result = await run(workflow, { inputs: { who: 'fleet' } });
    expect(result).toMatchObject({ state: 'failed', exitCode: 4 });
    // a non-zero exit may be transient: the command step says a retry can help
    expect(result.error).toMatchObject({ code: 'STEP_FAILED', retryable: true, step: 'c' });
    const lines = events.flatMap((e) => (e.kind === 'log' && e.stream === 'stdout' ? [`${e.step}:${e.line}`] : []));
    expect(lines).toEqual(expect.arrayContaining(['a:hello fleet', 'b:from b']));
    // c got a's declared output and b's stdout through templates (stdout keeps its newline)
    const c = lines.filter((l) => l.startsWith('c:')).join('|');
    expect(c).toMatch(/^c:hello fleet\|c: \+ from b/);
    const a = events.find((e) => e.kind === 'step.finished' && e.step === 'a');
    expect(a).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      outputs: { greeting: expect.stringContaining('hello fleet') },
    });
    expect(finishedSteps(events)).toMatchObject({ b: { status: 'succeeded' }, c: { status: 'failed' } });
    // step.started precedes every step's output
    expect(events.findIndex((e) => e.kind === 'step.started' && e.step === 'c')).toBeLessThan(
      events.findIndex((e) => e.kind === 'log' && e.step === 'c'),
    );
  });

  it('fails an invalid workflow with WORKFLOW_INVALID and a log line per problem', async () => {
    const { events, run } = await setup();
    const result = await run('name: bad\ntasks:\n  - name: x\n    type: nosuchtype\n');
    expect(result).toMatchObject({ state: 'failed', exitCode: null });
    expect(result.error).toMatchObject({
      code: 'WORKFLOW_INVALID',
      message: expect.stringMatching(/^the workflow has 1 problem/),
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'log',
        stream: 'system',
        line: expect.stringMatching(/^WORKFLOW_INVALID 4:\d+/),
      }),
    );
  });

  it('denies by policy: a command not allowed, a disabled step type, a file outside the roots', async () => {
    const { events, run, dataDir } = await setup(
      `allowed_commands: [echo]\ndisabled_step_types: [sleep]\nallowed_file_roots: [/nonexistent-root]\n`,
    );
    const workflow = `
name: denied
tasks:
  - { name: ok, type: command, config: { command: echo, args: [fine] } }
  - { name: sh, needs: [], type: command, config: { command: sh, args: [-c, "true"] } }
  - { name: nap, needs: [], type: sleep, config: { duration: 10ms } }
  - { name: write, needs: [], type: file.write, config: { path: "${join(dataDir, 'x.txt')}", content: x } }
`;
    const result = await run(workflow);
    expect(result.state).toBe('failed');
    const steps = finishedSteps(events);
    expect(steps.ok).toMatchObject({ status: 'succeeded' });
    for (const id of ['sh', 'nap', 'write'])
      expect(steps[id]?.error, id).toMatchObject({ code: 'POLICY_DENIED', retryable: false });
    await expect(readFile(join(dataDir, 'x.txt'))).rejects.toThrow();
  });

  it('cancel kills a running command quickly, runs finally, and ends cancelled', async () => {
    const { events, run } = await setup();
    const controller = new AbortController();
    const workflow = `
name: cancel
tasks:
  - { name: long, type: command, config: { command: sleep, args: ["30"] } }
finally:
  - { name: cleanup, type: command, config: { command: echo, args: [cleaned] } }
`;
    const running = run(workflow, {}, controller.signal);
    while (!events.some((e) => e.kind === 'step.started')) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const { FlotillaError } = await import('@flotilla/protocol');
    controller.abort(new FlotillaError('CANCELLED'));
    const result = await running;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.state).toBe('cancelled');
    expect(finishedSteps(events)).toMatchObject({ long: { status: 'cancelled' }, cleanup: { status: 'succeeded' } });
    expect(events).toContainEqual(expect.objectContaining({ kind: 'log', step: 'cleanup', line: 'cleaned' }));
  });

  it('enforces the job deadline as the run deadline', async () => {
    const { run } = await setup();
    const workflow = 'name: d\ntasks:\n  - { name: nap, type: sleep, config: { duration: 30s } }\n';
    const result = await run(workflow, { deadline: new Date(Date.now() + 300).toISOString() });
    expect(result.state).toBe('timed_out');
  });

  it('takes completedSteps as done: they do not run again and their outputs feed templates', async () => {
    const { events, run, dataDir } = await setup();
    const marker = join(dataDir, 'work', 'marker');
    const workflow = `
name: resume
tasks:
  - { name: first, type: command, config: { command: sh, args: [-c, "echo ran >> ${marker}"] } }
  - { name: second, type: command, config: { command: echo, args: ["\${{ steps.first.outputs.token }}"] } }
`;
    const result = await run(workflow, {
      completedSteps: { first: { status: 'succeeded', outputs: { token: 'from-before' } } },
    });
    expect(result.state).toBe('succeeded');
    await expect(readFile(marker)).rejects.toThrow();
    expect(events).toContainEqual(expect.objectContaining({ kind: 'log', step: 'second', line: 'from-before' }));
    expect(events.some((e) => e.kind === 'step.started' && e.step === 'first')).toBe(false);
  });
});
