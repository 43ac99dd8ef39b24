import { afterEach, describe, expect, it } from 'vitest';
import type { JobPayload, RunEvent } from '@flotilla/protocol';
import { spawnDirectly } from '@flotilla/steps';
import { createEngineExecutor, type EngineExecutor } from '../src/jobs/engine-executor.js';
import { parsePolicy } from '../src/policy/policy-file.js';
import { tempDirs } from './helpers/temp-dir.js';

const dirs = tempDirs();
const executors: EngineExecutor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
  await dirs.cleanup();
});

async function setup() {
  const dataDir = await dirs.make();
  const policy = parsePolicy('', { dataDir, source: 'test' });
  const executor = await createEngineExecutor({ dataDir, policy: { current: () => policy }, launch: spawnDirectly });
  executors.push(executor);
  const events: RunEvent[] = [];
  const run = (workflow: string, calledWorkflows: JobPayload['calledWorkflows']) =>
    executor.execute(
      {
        jobId: 'job-1',
        runId: `run-${events.length}`,
        agentId: 'agent-1',
        workflow,
        inputs: {},
        issuedAt: new Date().toISOString(),
        secrets: {},
        completedSteps: {},
        calledWorkflows,
      },
      { emit: (event) => events.push(event) },
      new AbortController().signal,
    );
  const systemLines = () => events.flatMap((e) => (e.kind === 'log' && e.stream === 'system' ? [e.line] : []));
  return { events, run, systemLines };
}

const CALLER = [
  'name: caller',
  'tasks:',
  '  - { name: pinned, type: workflow, config: { name: lib, version: 1, inputs: { n: 2 } } }',
  '  - { name: latest, type: workflow, config: { name: lib, inputs: { n: 3 } } }',
].join('\n');
const lib = (version: number) =>
  `name: lib\ninputs: { n: { type: number, required: true } }\noutputs: { v: "${version} * inputs.n" }\ntasks: []`;

describe('EngineExecutor: workflows called from the envelope', () => {
  it('runs a call by version that version, and a call by name alone the highest version the envelope carries', async () => {
    const { events, run } = await setup();
    const result = await run(CALLER, [
      { name: 'lib', version: 2, document: lib(2) },
      { name: 'lib', version: 1, document: lib(1) },
    ]);
    expect(result).toMatchObject({ state: 'succeeded' });
    const outputs = Object.fromEntries(
      events.flatMap((e) => (e.kind === 'step.finished' ? [[e.step, e.outputs]] : [])),
    );
    expect(outputs.pinned).toEqual({ v: 2, steps: {} });
    expect(outputs.latest).toEqual({ v: 6, steps: {} });
  });

  it('fails the run before anything runs when the envelope lacks a callee, or carries an invalid one', async () => {
    const { run, systemLines } = await setup();
    const missing = await run(CALLER, [{ name: 'lib', version: 2, document: lib(2) }]);
    expect(missing).toMatchObject({ state: 'failed', error: { code: 'WORKFLOW_INVALID' } });
    expect(systemLines()).toEqual([
      'WORKFLOW_INVALID 3:53 [pinned] the job carries no workflow "lib" version 1 (UNKNOWN_WORKFLOW)',
    ]);
    const invalid = await run(CALLER, [
      { name: 'lib', version: 1, document: 'name: lib\ntasks:\n  - { name: x, type: nope }' },
      { name: 'lib', version: 2, document: lib(2) },
    ]);
    expect(invalid).toMatchObject({ state: 'failed', error: { code: 'WORKFLOW_INVALID' } });
    expect(systemLines()[1]).toMatch(/^WORKFLOW_INVALID in workflow lib@1 3:\d+ \[x\] unknown step type "nope"/);
  });
});
