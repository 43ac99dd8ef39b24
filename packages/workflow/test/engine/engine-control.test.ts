import { describe, expect, it } from 'vitest';
import { createHarness, statuses, stepOf } from './helpers/harness.js';
import { step, workflow } from './helpers/workflows.js';

describe('engine: control steps and rollback', () => {
  it('parallel runs its tasks at once; later steps see their outputs', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('fan', {
          type: 'parallel',
          tasks: [
            step('x', { type: 'sleep', config: { ms: 500 } }),
            step('y', { type: 'sleep', config: { ms: 500 }, needs: ['x'] }),
            step('z', { config: { value: 'zed' } }),
          ],
        }),
        step('after', { config: { value: '${{ steps.z.outputs.value }}' } }),
      ]),
    );
    expect(record.status).toBe('succeeded');
    expect(stepOf(record, 'fan/y').durationMs).toBe(500);
    expect(stepOf(record, 'fan').durationMs).toBe(500);
    expect(stepOf(record, 'after').outputs).toEqual({ value: 'zed' });
  });

  it('foreach runs the tasks per item with item and index, one at a time by default', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('hosts', { config: { outputs: { list: ['web1', 'web2', 'web3'] } } }),
        step('each', {
          type: 'foreach',
          config: { items: '${{ steps.hosts.outputs.list }}' },
          tasks: [
            step('ping', { config: { value: '${{ index }}:${{ item }}' } }),
            step('pong', { config: { value: '${{ steps.ping.outputs.value }}!' }, needs: ['ping'] }),
          ],
        }),
      ]),
    );
    expect(record.status).toBe('succeeded');
    expect(h.log.order()).toEqual([
      'hosts',
      'each[0]/ping',
      'each[0]/pong',
      'each[1]/ping',
      'each[1]/pong',
      'each[2]/ping',
      'each[2]/pong',
    ]);
    expect(stepOf(record, 'each[1]/pong').outputs).toEqual({ value: '1:web2!' });
    expect(stepOf(record, 'each').outputs).toEqual({
      count: 3,
      results: [0, 1, 2].map((i) => ({ ping: { value: `${i}:web${i + 1}` }, pong: { value: `${i}:web${i + 1}!` } })),
    });
  });

  it('foreach with parallel: N runs at most N iterations at once', async () => {
    const h = createHarness();
    const started = h.clock.now();
    const record = await h.run(
      workflow([
        step('each', {
          type: 'foreach',
          config: { items: [1, 2, 3, 4, 5], parallel: 2 },
          tasks: [step('wait', { type: 'sleep', config: { ms: 100 } })],
        }),
      ]),
    );
    expect(record.status).toBe('succeeded');
    // 5 iterations, 2 at a time: 3 rounds of 100 ms
    expect(record.finishedAt - started).toBe(300);
    const all = await createHarness().run(
      workflow([
        step('each', {
          type: 'foreach',
          config: { items: [1, 2, 3, 4, 5], parallel: true },
          tasks: [step('wait', { type: 'sleep', config: { ms: 100 } })],
        }),
      ]),
    );
    expect(all.durationMs).toBe(100);
  });

  it('a failed iteration fails the foreach and stops new iterations', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('each', {
          type: 'foreach',
          config: { items: ['ok', 'bad', 'never'] },
          tasks: [
            step('t', { type: 'record', condition: "item != 'bad'" }),
            step('u', { type: 'fail', condition: "item == 'bad'", needs: ['t'] }),
          ],
        }),
        step('after'),
      ]),
    );
    expect(record.status).toBe('failed');
    expect(statuses(record)).toMatchObject({
      'each[0]/t': 'succeeded',
      'each[1]/u': 'failed',
      each: 'failed',
      after: 'skipped',
    });
    expect(h.log.calls.some((c) => c.step.startsWith('each[2]'))).toBe(false);
  });

  it('if picks then or else', async () => {
    const h = createHarness();
    const wf = workflow(
      [
        step('choose', {
          type: 'if',
          config: { condition: "${{ inputs.env == 'prod' }}" },
          then: [step('prod')],
          else: [step('other')],
        }),
      ],
      { inputs: { env: { type: 'string', required: true } } },
    );
    const prod = await h.run(wf, { inputs: { env: 'prod' } });
    expect(statuses(prod)).toEqual({ 'choose/prod': 'succeeded', choose: 'succeeded' });
    expect(stepOf(prod, 'choose').outputs).toEqual({ branch: 'then' });
    const other = await h.run(wf, { runId: 'run-2', inputs: { env: 'dev' } });
    expect(statuses(other)).toEqual({ 'choose/other': 'succeeded', choose: 'succeeded' });
  });

  it('on_failure: rollback runs the rollbacks of completed steps in reverse completion order', async () => {
    const h = createHarness();
    const rb = (id: string) => step(`${id}-undo`, { config: { value: `undo ${id}` } });
    const record = await h.run(
      workflow(
        [
          step('one', { rollback: rb('one') }),
          step('two', { rollback: rb('two') }),
          step('plain'),
          step('three', { rollback: rb('three') }),
          step('boom', { type: 'fail', rollback: rb('boom') }),
          step('never', { rollback: rb('never') }),
        ],
        { onFailure: 'rollback', finally: [step('report', { config: { value: '${{ steps.two.status }}' } })] },
      ),
    );
    expect(record.status).toBe('failed');
    expect(h.log.order()).toEqual([
      'one',
      'two',
      'plain',
      'three',
      'boom',
      'three#rollback',
      'two#rollback',
      'one#rollback',
      'report',
    ]);
    expect(stepOf(record, 'two#rollback')).toMatchObject({ phase: 'rollback', status: 'succeeded' });
    // a compensation does not replace the result of the step it undoes
    expect(stepOf(record, 'report').outputs).toEqual({ value: 'succeeded' });
  });

  it('without on_failure: rollback, nothing is compensated', async () => {
    const h = createHarness();
    await h.run(workflow([step('one', { rollback: step('undo') }), step('boom', { type: 'fail' })]));
    expect(h.log.order()).toEqual(['one', 'boom']);
  });
});
