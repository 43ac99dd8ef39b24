import { createEngine, createMemoryJournal } from '@flotilla/workflow';
import type {
  CompiledWorkflow,
  EngineEvent,
  EngineOptions,
  Journal,
  RunRecord,
  RunRequest,
  StepRecord,
} from '@flotilla/workflow';
import { StepLog, testSteps } from './test-steps.js';
import { VirtualClock } from './virtual-clock.js';
import { testServices } from './workflows.js';

/** An engine wired to a virtual clock, an in-memory journal and the test steps. */
export function createHarness(options: Partial<EngineOptions> & { journal?: Journal } = {}) {
  const clock = new VirtualClock();
  const log = new StepLog();
  const journal = options.journal ?? createMemoryJournal();
  const events: EngineEvent[] = [];
  const services = testServices();
  const engine = createEngine({
    registry: new Map(testSteps(log, clock).map((s) => [s.type, s])),
    clock,
    journal,
    services,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return {
    clock,
    log,
    journal,
    events,
    services,
    engine,
    run(workflow: CompiledWorkflow, request: Partial<RunRequest> = {}): Promise<RunRecord> {
      return engine.run({ runId: 'run-1', workflow, ...request });
    },
  };
}

/** The record of step `key`; fails the test when it is missing. */
export function stepOf(record: RunRecord, key: string): StepRecord {
  const found = record.steps.find((s) => s.key === key);
  if (found === undefined) throw new Error(`no step ${key} in ${record.steps.map((s) => s.key).join(', ')}`);
  return found;
}

/** `{key: status}` of every step, for compact assertions. */
export function statuses(record: RunRecord): Record<string, string> {
  return Object.fromEntries(record.steps.map((s) => [s.key, s.status]));
}
