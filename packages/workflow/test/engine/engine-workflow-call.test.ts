import { FlotillaError } from '@flotilla/protocol';
import type { CompiledWorkflow, WorkflowCallTarget, WorkflowResolver } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { createHarness, statuses, stepOf } from './helpers/harness.js';
import { step, workflow } from './helpers/workflows.js';

/** A resolver over named workflows, recording who asked for what. */
function byName(workflows: CompiledWorkflow[], asked: { target: WorkflowCallTarget; caller: string }[] = []) {
  const resolve: WorkflowResolver = (target, caller) => {
    asked.push({ target, caller: caller.name });
    const found = workflows.find((w) => w.name === target.name);
    return found === undefined ? Promise.reject(new FlotillaError('WORKFLOW_NOT_FOUND')) : Promise.resolve(found);
  };
  return resolve;
}

describe('engine: type: workflow', () => {
  const child = workflow(
    [
      step('greet', { config: { value: 'hello ${{ inputs.who }}' } }),
      step('size', { config: { value: '${{ size(inputs.who) }}' } }),
    ],
    {
      name: 'child',
      inputs: { who: { type: 'string', required: true } },
      outputs: { greeting: 'steps.greet.outputs.value', length: '${{ steps.size.outputs.value * 2 }}' },
    },
  );

  it('runs the callee with its own inputs; its workflow outputs and step outputs come back', async () => {
    const asked: { target: WorkflowCallTarget; caller: string }[] = [];
    const h = createHarness({ resolveWorkflow: byName([child], asked) });
    const record = await h.run(
      workflow([
        step('call', { type: 'workflow', config: { name: 'child', inputs: { who: 'world' } } }),
        step('after', { config: { value: '${{ steps.call.outputs.greeting }}/${{ steps.call.outputs.length }}' } }),
      ]),
    );
    expect(record.status).toBe('succeeded');
    expect(h.log.order()).toEqual(['call/greet', 'call/size', 'after']);
    expect(stepOf(record, 'call').outputs).toEqual({
      greeting: 'hello world',
      length: 10,
      steps: { greet: { value: 'hello world' }, size: { value: 5 } },
    });
    expect(stepOf(record, 'after').outputs).toEqual({ value: 'hello world/10' });
    expect(asked).toEqual([{ target: { name: 'child', version: undefined }, caller: 'test' }]);
  });

  it('passes the calling workflow to the resolver, so a path is relative to the right document', async () => {
    const leaf = workflow([step('leaf-step')], { name: 'leaf' });
    const middle = workflow([step('down', { type: 'workflow', config: { path: 'leaf.yaml' } })], { name: 'middle' });
    const asked: { target: WorkflowCallTarget; caller: string }[] = [];
    const h = createHarness({ resolveWorkflow: byNameOrPath({ 'middle.yaml': middle, 'leaf.yaml': leaf }, asked) });
    const record = await h.run(workflow([step('up', { type: 'workflow', config: { path: 'middle.yaml' } })]));
    expect(statuses(record)).toEqual({ 'up/down/leaf-step': 'succeeded', 'up/down': 'succeeded', up: 'succeeded' });
    expect(asked).toEqual([
      { target: { path: 'middle.yaml' }, caller: 'test' },
      { target: { path: 'leaf.yaml' }, caller: 'middle' },
    ]);
  });

  it('a failing callee fails the call step (naming the callee) and the run; its finally still runs', async () => {
    const broken = workflow([step('boom', { type: 'fail' }), step('never')], {
      name: 'broken',
      finally: [step('cleanup')],
      outputs: { never: 'steps.never.outputs.value' },
    });
    const h = createHarness({ resolveWorkflow: byName([broken]) });
    const record = await h.run(
      workflow([step('call', { type: 'workflow', config: { name: 'broken' } }), step('next')]),
    );
    expect(record.status).toBe('failed');
    expect(statuses(record)).toMatchObject({
      'call/boom': 'failed',
      'call/never': 'skipped',
      'call/cleanup': 'succeeded',
      call: 'failed',
      next: 'skipped',
    });
    expect(stepOf(record, 'call').error).toMatchObject({
      code: 'STEP_FAILED',
      message: expect.stringContaining('"broken"'),
    });
    // the run's error is the step that failed first, inside the callee
    expect(record.error).toMatchObject({ step: 'call/boom' });
  });

  it('checks the inputs of a call when it runs (templated values): INPUT_INVALID, nothing of the callee runs', async () => {
    const h = createHarness({ resolveWorkflow: byName([child]) });
    const record = await h.run(
      workflow([step('call', { type: 'workflow', config: { name: 'child', inputs: { who: '${{ 42 }}' } } })]),
    );
    expect(stepOf(record, 'call').error?.code).toBe('INPUT_INVALID');
    expect(h.log.order()).toEqual([]);
  });

  it('fails a call it cannot resolve, and one on a host without a resolver', async () => {
    const call = step('call', { type: 'workflow', config: { name: 'ghost' } });
    const record = await createHarness({ resolveWorkflow: byName([]) }).run(workflow([call]));
    expect(stepOf(record, 'call').error?.code).toBe('WORKFLOW_NOT_FOUND');
    const hostless = await createHarness().run(workflow([call]));
    expect(stepOf(hostless, 'call').error?.code).toBe('CONFIG_INVALID');
  });

  it('refuses a cycle a resolver hands it while running, instead of recursing', async () => {
    const selfish: CompiledWorkflow = workflow([step('again', { type: 'workflow', config: { name: 'selfish' } })], {
      name: 'selfish',
    });
    const h = createHarness({ resolveWorkflow: byName([selfish]) });
    const record = await h.run(selfish);
    expect(stepOf(record, 'again').error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'workflow cycle: selfish → selfish',
    });
  });

  it('refuses a config with both path and name when it runs', async () => {
    const h = createHarness({ resolveWorkflow: byName([child]) });
    const record = await h.run(workflow([step('call', { type: 'workflow', config: { name: 'child', path: 'x' } })]));
    expect(stepOf(record, 'call').error?.code).toBe('CONFIG_INVALID');
  });
});

function byNameOrPath(
  files: Record<string, CompiledWorkflow>,
  asked: { target: WorkflowCallTarget; caller: string }[],
): WorkflowResolver {
  return (target, caller) => {
    asked.push({ target, caller: caller.name });
    const found = target.path === undefined ? undefined : files[target.path];
    return found === undefined ? Promise.reject(new FlotillaError('WORKFLOW_NOT_FOUND')) : Promise.resolve(found);
  };
}
