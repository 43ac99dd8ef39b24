import { expect } from 'vitest';
import { spawnDirectly } from '@flotilla/steps';
import type { Launch, NodeStepServices } from '@flotilla/steps';
import { EngineAbortError, StepError } from '@flotilla/workflow';
import type { AlertRequest, StepContext, StepLogger, StepPolicy } from '@flotilla/workflow';

/** One line a step logged, in the order it was logged. */
export interface LoggedLine {
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

/** A policy that allows everything: tests narrow it with `overrides.policy`. */
export const permissivePolicy: StepPolicy = {
  allowedFileRoots: ['/'],
  allowedServices: ['*'],
  allowedCommands: ['*'],
  allowedLoaderEnv: ['*'],
  downloadExecEnabled: true,
  jsEnabled: true,
  httpDestinations: { deny: [], denyMetadata: false },
};

export interface ContextOverrides {
  policy?: Partial<StepPolicy>;
  env?: Record<string, string>;
  attempt?: number;
  runId?: string;
  stepId?: string;
  signal?: AbortSignal;
  /** How the step's processes start. @default spawnDirectly */
  launch?: Launch;
}

export interface TestContext<C> {
  ctx: StepContext<C>;
  /** Every line logged so far, all streams interleaved in order. */
  lines: LoggedLine[];
  /** Alerts raised through `ctx.services.raiseAlert`. */
  alerts: AlertRequest[];
  /** Aborts `ctx.signal` (unless `overrides.signal` was given). */
  controller: AbortController;
}

/**
 * A real `StepContext` for step tests: a collecting logger, an AbortController and a permissive
 * policy. `config` is passed as is — parse it with the step's schema first when the test needs
 * defaults filled in.
 */
export function makeContext<C>(config: C, overrides: ContextOverrides = {}): TestContext<C> {
  const lines: LoggedLine[] = [];
  const alerts: AlertRequest[] = [];
  const controller = new AbortController();
  const log: StepLogger = {
    stdout: (line) => lines.push({ stream: 'stdout', line }),
    stderr: (line) => lines.push({ stream: 'stderr', line }),
    info: (line) => lines.push({ stream: 'system', line }),
  };
  const runId = overrides.runId ?? 'run-test';
  const stepId = overrides.stepId ?? 'step-test';
  const attempt = overrides.attempt ?? 1;
  const services: NodeStepServices = {
    policy: { ...permissivePolicy, ...overrides.policy },
    raiseAlert: (alert) => {
      alerts.push(alert);
      return Promise.resolve();
    },
    launch: overrides.launch ?? spawnDirectly,
  };
  const ctx: StepContext<C> = {
    config,
    signal: overrides.signal ?? controller.signal,
    log,
    runId,
    stepId,
    attempt,
    idempotencyKey: `${runId}:${stepId}:${attempt}`,
    env: overrides.env ?? {},
    services,
  };
  return { ctx, lines, alerts, controller };
}

/** The logged lines of one stream, in order. */
export function linesOf(lines: readonly LoggedLine[], stream: LoggedLine['stream']): string[] {
  return lines.filter((l) => l.stream === stream).map((l) => l.line);
}

/** Awaits a step run that must fail, and returns its StepError (the test fails on anything else). */
export async function expectStepError(run: Promise<unknown>): Promise<StepError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepError);
  return err as StepError;
}

/**
 * A step signal that the step's timeout aborts after `ms`, as the engine does it (the reason is
 * the engine's `STEP_TIMEOUT` abort error): `config.timeout` of any step type ends up here.
 */
export function stepTimeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => {
    controller.abort(new EngineAbortError('timeout', `the step timed out after ${ms} ms`));
  }, ms).unref();
  return controller.signal;
}
