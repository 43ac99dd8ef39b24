import { createEngine, createMemoryJournal, validateWorkflow } from '@flotilla/workflow';
import type { Journal, StepType } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { yaml } from '../document/helpers.js';
import { crashingJournal, World } from '../engine/helpers/crash.js';
import { VirtualClock } from '../engine/helpers/virtual-clock.js';
import { testServices } from '../engine/helpers/workflows.js';
import { fakeCommand, statusesOf } from './probe-harness.js';

const doc = yaml(
  'name: resume',
  'jobs:',
  '- name: j',
  '  id: j',
  '  steps:',
  '  - { id: a, uses: shell, with: { cmd: echo first }, outputs: { said: trim(res.stdout) } }',
  '  - { id: b, uses: shell, with: { cmd: "echo {{outputs.a.said}}-{{outputs.said}}" }, test: res.stdout == "first-first\\n" }',
  '- { name: k, id: k, needs: [j], steps: [{ id: c, uses: hello, test: outputs.a.said == "first" }] }',
);

function processOn(journal: Journal, calls: string[]) {
  const clock = new VirtualClock();
  const registry = new Map<string, StepType>([['command', fakeCommand(clock, calls)]]);
  const result = validateWorkflow(doc, { steps: registry });
  if (!result.ok) throw new Error('invalid');
  const engine = createEngine({ registry, clock, journal, services: testServices() });
  return engine.run({ runId: 'run-1', workflow: result.workflow });
}

describe('probe runs resume from their journal', () => {
  it('a step finished before a crash is not run again, and what it published is read again', async () => {
    const journal = createMemoryJournal();
    const first: string[] = [];
    const crashed = await processOn(
      crashingJournal(journal, new World({ point: 'after-finish', step: 'j/a' })),
      first,
    ).catch((err: unknown) => err);
    expect(crashed).toBeInstanceOf(Error);
    expect(first).toEqual(['echo first']);

    const second: string[] = [];
    const record = await processOn(journal, second);
    expect(second).toEqual(['echo first-first']);
    expect(record.status).toBe('succeeded');
    expect(record.resumed).toBe(true);
    expect(statusesOf(record)).toMatchObject({
      'j/a': 'succeeded',
      'j/b': 'succeeded',
      j: 'succeeded',
      'k/c': 'succeeded',
    });

    // and once the run is over, a third process only reports it
    const third: string[] = [];
    expect((await processOn(journal, third)).status).toBe('succeeded');
    expect(third).toEqual([]);
  });
});
