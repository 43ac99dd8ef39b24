import { describe, expect, it } from 'vitest';
import { createMemoryJournal, validateWorkflow, workflowDisplayNames } from '@flotilla/workflow';
import type { CompiledWorkflow, EngineEvent } from '@flotilla/workflow';
import { createHarness } from './helpers/harness.js';
import { step, workflow } from './helpers/workflows.js';

/** The simple style's `name: deploy-{{.ENVIRONMENT}}`: runs show the names resolved. */
describe('engine: names with placeholders are shown resolved', () => {
  const deploy = (): CompiledWorkflow =>
    workflow(
      [
        step('build', { name: 'build {{.app}} v${{ inputs.version }}', config: { value: 'x' } }),
        step('each', {
          name: 'hosts',
          type: 'foreach',
          config: { items: ['a', 'b'] },
          tasks: [step('visit', { name: 'visit ${{ item }} after ${{ steps.build.status }}' })],
        }),
        step('later', { name: 'uses ${{ steps.build.outputs.value }}', type: 'fail' }),
        step('skipped', { name: 'never {{.app}}' }),
      ],
      {
        name: 'deploy-{{.ENVIRONMENT}}',
        description: 'ship {{.app}} to ${{ inputs.ENVIRONMENT }}',
        variables: { app: 'shop' },
        inputs: {
          ENVIRONMENT: { type: 'string', required: false, default: 'staging' },
          version: { type: 'number', required: true },
        },
      },
    );

  it('in the run record, the journal, events and the run context', async () => {
    const h = createHarness();
    const record = await h.run(deploy(), { inputs: { version: 3 } });
    expect(record.workflow).toBe('deploy-staging');
    expect(record.steps.map((s) => [s.key, s.name])).toEqual([
      ['build', 'build shop v3'],
      ['each[0]/visit', 'visit a after succeeded'],
      ['each[1]/visit', 'visit b after succeeded'],
      ['each', 'hosts'],
      ['later', 'uses x'],
      ['skipped', 'never shop'],
    ]);
    const started = h.events.find((e): e is Extract<EngineEvent, { kind: 'run.started' }> => e.kind === 'run.started');
    expect(started).toMatchObject({ workflow: 'deploy-staging', description: 'ship shop to staging' });
    const stepStarted = h.events.filter((e) => e.kind === 'step.started').map((e) => e.name);
    expect(stepStarted).toContain('build shop v3');
    const journaled = await h.journal.read('run-1');
    expect(journaled[0]).toMatchObject({ type: 'run.started', workflow: 'deploy-staging' });
  });

  it('resumes a run journaled under the resolved name or the name as written, and refuses another', async () => {
    const journal = createMemoryJournal();
    const seeded = createHarness({ journal });
    await journal.append('seeded', {
      type: 'run.started',
      ts: 0,
      runId: 'seeded',
      workflow: 'deploy-{{.ENVIRONMENT}}',
      inputs: { version: 1, ENVIRONMENT: 'prod' },
    });
    const resumed = await seeded.engine.run({ runId: 'seeded', workflow: deploy() });
    expect(resumed.workflow).toBe('deploy-prod');
    await journal.append('other', {
      type: 'run.started',
      ts: 0,
      runId: 'other',
      workflow: 'deploy-test',
      inputs: { version: 1 },
    });
    await expect(seeded.engine.run({ runId: 'other', workflow: deploy() })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps a name as written when it cannot be resolved, without failing the run', async () => {
    const h = createHarness();
    const record = await h.run(
      workflow([step('a', { name: 'a ${{ 1 / 0 }}' })], { name: 'n ${{ inputs.x.missing }}', inputs: {} }),
    );
    expect(record.status).toBe('succeeded');
    expect([record.workflow, record.steps[0]?.name]).toEqual(['n ${{ inputs.x.missing }}', 'a ${{ 1 / 0 }}']);
  });

  it('workflowDisplayNames resolves a document as the control plane names its jobs', () => {
    const result = validateWorkflow(
      'name: "deploy-{{.ENVIRONMENT}}"\ninputs: { ENVIRONMENT: { default: staging } }\ntasks:\n  - { name: a, type: x }\n',
    );
    if (!result.ok) throw new Error('invalid');
    expect(workflowDisplayNames(result.workflow, { ENVIRONMENT: 'production' })).toEqual({ name: 'deploy-production' });
  });
});
