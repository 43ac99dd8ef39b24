import { createEngine, createMemoryJournal, defineStep, StepError, validateWorkflow } from '@flotilla/workflow';
import type {
  Clock,
  CompiledWorkflow,
  EngineEvent,
  EngineOptions,
  RunRecord,
  RunRequest,
  StepType,
} from '@flotilla/workflow';
import { z } from 'zod';
import { VirtualClock } from '../engine/helpers/virtual-clock.js';
import { testServices } from '../engine/helpers/workflows.js';

/**
 * A stand-in for the `command` step type the `shell` action runs on (the real one is tested in
 * @flotilla/steps and through `flotilla run`): it reads the `-c` script as one of a few words.
 * `exit N`, `echo TEXT`, `sleep MS`, `ready-after N KEY` (exit 1 until the N-th call), `crash`.
 */
export function fakeCommand(clock: Clock, calls: string[]): StepType {
  const counts = new Map<string, number>();
  return defineStep({
    type: 'command',
    description: 'a pretend shell',
    configSchema: z.object({
      command: z.string(),
      args: z.array(z.string()),
      env: z.record(z.string(), z.string()).default({}),
      allow_exit_codes: z.union([z.array(z.int()), z.literal('any')]).default([0]),
      cwd: z.string().optional(),
    }),
    effect: () => 'at-most-once',
    async run(ctx) {
      const script = ctx.config.args[1] ?? '';
      calls.push(script);
      const [word = '', ...rest] = script.split(' ');
      const exit = (code: number, stdout = '') => ({ outputs: { stdout, stderr: '', exit_code: code } });
      switch (word) {
        case 'exit':
          return exit(Number(rest[0]));
        case 'echo':
          ctx.log.stdout(rest.join(' '));
          return exit(0, `${rest.join(' ')}\n`);
        case 'sleep':
          await clock.sleep(Number(rest[0]), ctx.signal);
          return exit(0);
        case 'ready-after': {
          const key = rest[1] ?? '';
          const seen = (counts.get(key) ?? 0) + 1;
          counts.set(key, seen);
          return exit(seen >= Number(rest[0]) ? 0 : 1, `try ${seen}\n`);
        }
        default:
          throw new StepError('STEP_FAILED', `cannot start ${script}`);
      }
    },
  });
}

/** Validates a probe document (it must be valid) and runs it on a virtual clock. */
export function probeHarness(options: Partial<EngineOptions> = {}) {
  const clock = new VirtualClock();
  const calls: string[] = [];
  const events: EngineEvent[] = [];
  const journal = createMemoryJournal();
  const registry = new Map<string, StepType>([['command', fakeCommand(clock, calls)]]);
  const engine = createEngine({
    registry,
    clock,
    journal,
    services: testServices(),
    onEvent: (e) => events.push(e),
    ...options,
  });
  const compile = (text: string): CompiledWorkflow => {
    const result = validateWorkflow(text, { steps: registry });
    if (!result.ok)
      throw new Error(result.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`).join('\n'));
    return result.workflow;
  };
  return {
    clock,
    calls,
    events,
    journal,
    compile,
    run(text: string, request: Partial<RunRequest> = {}): Promise<RunRecord> {
      return engine.run({ runId: 'run-1', workflow: compile(text), ...request });
    },
    /** Lines logged under `step` on stdout (echo, command output). */
    stdout(step: string): string[] {
      return events.flatMap((e) => (e.kind === 'log' && e.step === step && e.stream === 'stdout' ? [e.line] : []));
    },
  };
}

/** `{key: status}` of every step of a record. */
export function statusesOf(record: RunRecord): Record<string, string> {
  return Object.fromEntries(record.steps.map((s) => [s.key, s.status]));
}

/** The record of `key`, failing the test when it is missing. */
export function recordOf(record: RunRecord, key: string) {
  const found = record.steps.find((s) => s.key === key);
  if (found === undefined) throw new Error(`no step ${key} in ${record.steps.map((s) => s.key).join(', ')}`);
  return found;
}
