import { defineStep, StepError } from '@flotilla/workflow';
import type { Clock, StepType } from '@flotilla/workflow';
import { z } from 'zod';

/** What the test steps did, by step key. */
export class StepLog {
  readonly calls: { step: string; attempt: number; config: unknown; env: Record<string, string> }[] = [];

  count(step: string): number {
    return this.calls.filter((c) => c.step === step).length;
  }

  order(): string[] {
    return this.calls.map((c) => c.step);
  }
}

/**
 * Small real step types for engine tests: they do their work in-process and record it, so a
 * test can assert exactly what ran, how often and with which resolved config.
 */
export function testSteps(log: StepLog, clock: Clock): StepType[] {
  const record = (ctx: {
    stepId: string;
    attempt: number;
    config: unknown;
    env: Readonly<Record<string, string>>;
  }): void => {
    log.calls.push({ step: ctx.stepId, attempt: ctx.attempt, config: ctx.config, env: { ...ctx.env } });
  };
  const failuresSeen = new Map<string, number>();
  return [
    defineStep({
      type: 'record',
      description: 'records the call; outputs `value` or the given outputs',
      configSchema: z.object({
        value: z.unknown().optional(),
        outputs: z.record(z.string(), z.unknown()).optional(),
        effect: z.enum(['idempotent', 'at-most-once']).optional(),
      }),
      effect: (config) => config.effect ?? 'idempotent',
      run(ctx) {
        record(ctx);
        return Promise.resolve({ outputs: ctx.config.outputs ?? { value: ctx.config.value ?? null } });
      },
    }),
    defineStep({
      type: 'sleep',
      description: 'waits on the injected clock',
      configSchema: z.object({ ms: z.number().nonnegative() }),
      effect: () => 'idempotent',
      async run(ctx) {
        record(ctx);
        await clock.sleep(ctx.config.ms, ctx.signal);
        return { outputs: {} };
      },
    }),
    defineStep({
      type: 'flaky',
      description: 'fails its first `failures` attempts',
      configSchema: z.object({ failures: z.int().nonnegative(), retryable: z.boolean().default(true) }),
      effect: () => 'idempotent',
      run(ctx) {
        record(ctx);
        const seen = (failuresSeen.get(ctx.stepId) ?? 0) + 1;
        failuresSeen.set(ctx.stepId, seen);
        if (seen <= ctx.config.failures) {
          return Promise.reject(new StepError('STEP_FAILED', `failure ${seen}`, { retryable: ctx.config.retryable }));
        }
        return Promise.resolve({ outputs: { tries: seen } });
      },
    }),
    defineStep({
      type: 'fail',
      description: 'fails with a StepError (or a plain Error when `plain`)',
      configSchema: z.object({
        message: z.string().default('it failed'),
        plain: z.boolean().default(false),
        outputs: z.record(z.string(), z.unknown()).optional(),
      }),
      effect: () => 'idempotent',
      run(ctx) {
        record(ctx);
        if (ctx.config.plain) return Promise.reject(new Error(ctx.config.message));
        return Promise.reject(new StepError('STEP_FAILED', ctx.config.message, { outputs: ctx.config.outputs ?? {} }));
      },
    }),
    defineStep({
      type: 'hang',
      description: 'waits until aborted (or forever with ignore_abort)',
      configSchema: z.object({ ignore_abort: z.boolean().default(false) }),
      effect: () => 'idempotent',
      run(ctx) {
        record(ctx);
        return new Promise((_resolve, reject) => {
          if (ctx.config.ignore_abort) return;
          ctx.signal.addEventListener('abort', () => {
            // like the process steps: rethrow the engine's reason (a StepError) with partial outputs
            const reason: unknown = ctx.signal.reason;
            if (!(reason instanceof StepError)) throw new Error('the engine aborts with a StepError');
            reject(
              new StepError(reason.code, reason.message, {
                retryable: reason.retryable,
                outputs: { partial: 'so far' },
              }),
            );
          });
        });
      },
    }),
    defineStep({
      type: 'echo',
      description: 'logs lines and returns them',
      configSchema: z.object({ lines: z.array(z.string()), stderr: z.boolean().default(false) }),
      effect: () => 'idempotent',
      run(ctx) {
        record(ctx);
        for (const line of ctx.config.lines) {
          if (ctx.config.stderr) ctx.log.stderr(line);
          else ctx.log.stdout(line);
        }
        return Promise.resolve({ outputs: { text: ctx.config.lines.join('\n') } });
      },
    }),
  ];
}
