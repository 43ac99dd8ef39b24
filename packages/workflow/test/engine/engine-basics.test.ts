import { FlotillaError } from '@flotilla/protocol';
import { describe, expect, it } from 'vitest';
import { createHarness, statuses, stepOf } from './helpers/harness.js';
import { step, workflow } from './helpers/workflows.js';

describe('engine: order, outputs and failures', () => {
  it('runs steps in list order and passes outputs through templates', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('a', { config: { outputs: { version: '1.2.3', n: 2 } } }),
        step('b', { config: { value: 'v${{ steps.a.outputs.version }}' } }),
        step('c', {
          config: { value: '${{ steps.a.outputs.n * 10 }}' },
          outputs: { doubled: '${{ steps.c.outputs.value * 2 }}' },
        }),
      ]),
    );
    expect(record.status).toBe('succeeded');
    expect(h.log.order()).toEqual(['a', 'b', 'c']);
    expect(stepOf(record, 'b').outputs).toEqual({ value: 'v1.2.3' });
    expect(stepOf(record, 'c').outputs).toEqual({ value: 20, doubled: 40 });
    expect(h.events.map((e) => e.kind)).toEqual([
      'run.started',
      ...Array<string>(3)
        .fill('step.started,step.finished')
        .flatMap((s) => s.split(',')),
      'run.finished',
    ]);
  });

  it('fails the run at the first failed step, skips the rest and still runs finally', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([step('a'), step('b', { type: 'fail' }), step('c')], {
        finally: [step('notify', { config: { value: 'run ${{ run.status }}' } })],
      }),
    );
    expect(record.status).toBe('failed');
    expect(record.error?.code).toBe('STEP_FAILED');
    expect(statuses(record)).toEqual({ a: 'succeeded', b: 'failed', c: 'skipped', notify: 'succeeded' });
    expect(stepOf(record, 'notify').outputs).toEqual({ value: 'run failed' });
    expect(h.log.count('c')).toBe(0);
  });

  it('continues after a failed step with continue_on_error, and dependants run', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('a', { type: 'fail', continueOnError: true }),
        step('b', { config: { value: '${{ steps.a.status }}' } }),
      ]),
    );
    expect(record.status).toBe('succeeded');
    expect(stepOf(record, 'a').status).toBe('failed');
    expect(stepOf(record, 'b').outputs).toEqual({ value: 'failed' });
  });

  it('skips a step whose if: is false without skipping the steps after it', async () => {
    const h = createHarness();
    const wf = workflow([step('a', { condition: "inputs.env == 'production'" }), step('b')], {
      inputs: { env: { type: 'string', required: false, default: 'staging', enum: ['staging', 'production'] } },
    });
    const record = await h.run(wf);
    expect(statuses(record)).toEqual({ a: 'skipped', b: 'succeeded' });
    const second = await h.run(wf, { runId: 'run-2', inputs: { env: 'production' } });
    expect(statuses(second)).toEqual({ a: 'succeeded', b: 'succeeded' });
    expect(second.inputs).toEqual({ env: 'production' });
  });

  it('rejects invalid inputs before anything runs, with every problem listed', async () => {
    const h = createHarness();
    const wf = workflow([step('a')], {
      inputs: {
        env: { type: 'string', required: true, enum: ['staging', 'production'] },
        count: { type: 'number', required: false, default: 1 },
      },
    });
    const err = await h.run(wf, { inputs: { env: 'qa', count: 'three', extra: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).code).toBe('INPUT_INVALID');
    expect((err as FlotillaError).errors?.map((e) => e.path).sort()).toEqual([
      'inputs.count',
      'inputs.env',
      'inputs.extra',
    ]);
    expect(h.log.calls).toHaveLength(0);
    expect(await h.journal.read('run-1')).toEqual([]);
  });

  it('fails a step whose resolved config does not match its schema, without retrying', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('a', {
          type: 'sleep',
          config: { ms: 'soon' },
          retry: { attempts: 3, delayMs: 0, backoff: 'fixed', maxDelayMs: 0 },
        }),
      ]),
    );
    expect(stepOf(record, 'a')).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { code: 'CONFIG_INVALID', retryable: false },
    });
    expect(h.log.calls).toHaveLength(0);
  });

  it('fails steps of an unknown type and steps whose template cannot be evaluated', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([
        step('a', { type: 'nope', continueOnError: true }),
        step('b', { config: { value: '${{ steps.zzz.outputs.x }}' } }),
      ]),
    );
    expect(stepOf(record, 'a').error?.code).toBe('CONFIG_INVALID');
    expect(stepOf(record, 'b').error?.code).toBe('EXPRESSION_ERROR');
    expect(record.status).toBe('failed');
  });

  it('masks every secret in log lines, outputs and errors, and passes secrets to steps as environment', async () => {
    const h = createHarness();
    const secrets = { DB_PASSWORD: 's3cr3t-pw', TOKEN: 'xyzzy-42' };
    const record = await h.run(
      workflow([
        step('a', {
          type: 'echo',
          config: { lines: ['connecting with {{.DB_PASSWORD}}', 'token=${{ secrets.TOKEN }}'] },
        }),
        step('b', {
          type: 'fail',
          config: { message: 'bad password {{.DB_PASSWORD}}', outputs: { echoed: '{{.DB_PASSWORD}}' } },
        }),
      ]),
      { secrets },
    );
    const logs = h.events.flatMap((e) => (e.kind === 'log' ? [e.line] : []));
    expect(logs).toEqual(['connecting with ***', 'token=***']);
    expect(stepOf(record, 'a').outputs).toEqual({ text: 'connecting with ***\ntoken=***' });
    expect(stepOf(record, 'b').error?.message).toBe('bad password ***');
    expect(stepOf(record, 'b').outputs).toEqual({ echoed: '***' });
    const journalText = JSON.stringify(await h.journal.read('run-1'));
    expect(journalText).not.toContain('s3cr3t-pw');
    expect(h.log.calls[0]?.env).toEqual(secrets);
  });

  it('runs independent branches concurrently and joins on needs', async () => {
    const h = createHarness();
    const wf = workflow(
      [
        step('slow', { type: 'sleep', config: { ms: 1000 }, needs: [] }),
        step('fast', { type: 'sleep', config: { ms: 10 }, needs: [] }),
        step('join', { needs: ['slow', 'fast'] }),
      ],
      { explicitNeeds: ['slow', 'fast', 'join'] },
    );
    const started = h.clock.now();
    const record = await h.run(wf);
    expect(record.status).toBe('succeeded');
    expect(record.steps.map((s) => s.key)).toEqual(['fast', 'slow', 'join']);
    // both sleeps overlapped: the run took as long as the slow branch
    expect(record.finishedAt - started).toBe(1000);
  });

  it('returns the recorded outcome when asked to run a finished run again', async () => {
    const h = createHarness();
    const wf = workflow([step('a')]);
    const first = await h.run(wf);
    const again = await h.run(wf);
    expect(h.log.count('a')).toBe(1);
    expect(again).toMatchObject({ status: 'succeeded', resumed: true, steps: [{ key: 'a', status: 'succeeded' }] });
    expect(again.startedAt).toBe(first.startedAt);
  });

  it('refuses to resume a run id journaled for another workflow', async () => {
    const h = createHarness();
    await h.run(workflow([step('a')], { name: 'first' }));
    const err = await h.run(workflow([step('a')], { name: 'second' })).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('CONFLICT');
  });
});
