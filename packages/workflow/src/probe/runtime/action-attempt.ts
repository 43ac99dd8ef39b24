import { z } from 'zod';
import type { StepFailure } from '@flotilla/protocol';
import { runAttempt } from '../../engine/attempt.js';
import type { Executor } from '../../engine/executor.js';
import type { StepFrame } from '../../engine/step-frame.js';
import type { StepPhase } from '../../journal/journal-record.js';
import type { EffectClass, StepLogger, StepType } from '../../step-type.js';
import type { AbortKind } from '../../engine/step-failure.js';
import { failureOf } from '../../engine/step-failure.js';
import type { ActionOutcome, ActionRun, ProbeAction } from '../actions/action.js';
import { isMap } from '../actions/values.js';
import { compileJobFile } from './embedded-job.js';
import { ProbeOutputs } from './probe-outputs.js';
import { runProbeJobSteps } from './job-steps.js';

/** An action ready to run: the step type with its parsed config, or one the engine runs itself. */
export type PreparedAction =
  | {
      kind: 'step';
      stepType: StepType;
      config: unknown;
      effect: EffectClass;
      env: Readonly<Record<string, string>>;
      timeoutMs: number;
      /** The attempt's limit is the one `with` sets, shorter than the step's `timeout`. */
      limitFromWith: boolean;
      repeat: { count: number; concurrency: number } | undefined;
    }
  | { kind: 'hello'; effect: EffectClass }
  | { kind: 'embedded'; effect: EffectClass; path: string; vars: Record<string, unknown> };

const invalid = (message: string): StepFailure => ({ code: 'CONFIG_INVALID', message, retryable: false });

/** Maps rendered `with` onto the action's step type and parses the config (CONFIG_INVALID otherwise). */
export function prepareAction(
  action: ProbeAction,
  input: Record<string, unknown>,
  context: {
    registry: ReadonlyMap<string, StepType>;
    secrets: Readonly<Record<string, string>>;
    home: string | undefined;
    timeoutMs: number;
  },
): { prepared: PreparedAction; secrets: string[] } | { failure: StepFailure } {
  if (action.name === 'hello') return { prepared: { kind: 'hello', effect: 'idempotent' }, secrets: [] };
  if (action.name === 'embedded') {
    const parsed = action.withSchema.safeParse(input);
    if (!parsed.success) return { failure: invalid(`embedded with: ${z.prettifyError(parsed.error)}`) };
    const vars = isMap(input.vars) ? input.vars : {};
    return { prepared: { kind: 'embedded', effect: 'idempotent', path: String(input.path), vars }, secrets: [] };
  }
  const stepType = action.stepType === undefined ? undefined : context.registry.get(action.stepType);
  if (stepType === undefined)
    return { failure: invalid(`the ${action.name} action needs the ${action.stepType ?? '?'} step type`) };
  let mapped: ReturnType<ProbeAction['toStep']>;
  try {
    mapped = action.toStep(input, { home: context.home });
  } catch (err) {
    return { failure: { ...failureOf(err).failure, retryable: false } };
  }
  const parsed = stepType.configSchema.safeParse(mapped.config);
  if (!parsed.success) {
    return { failure: invalid(`invalid ${action.name} with: ${z.prettifyError(parsed.error)}`) };
  }
  const limits = [context.timeoutMs, mapped.timeoutMs ?? 0].filter((ms) => ms > 0);
  const own = mapped.timeoutMs ?? 0;
  return {
    prepared: {
      kind: 'step',
      stepType,
      config: parsed.data,
      effect: stepType.effect(parsed.data),
      env: { ...context.secrets, ...mapped.env },
      timeoutMs: limits.length === 0 ? 0 : Math.min(...limits),
      limitFromWith: own > 0 && (context.timeoutMs <= 0 || own < context.timeoutMs),
      repeat: mapped.repeat,
    },
    secrets: mapped.secrets ?? [],
  };
}

/** One try of an action: its outcome, and why it stopped when the run aborted it. */
export async function attemptAction(
  exec: Executor,
  prepared: PreparedAction,
  target: { key: string; frame: StepFrame; phase: StepPhase; attempt: number; log: StepLogger },
): Promise<{ outcome: ActionOutcome; abort?: AbortKind | undefined }> {
  const { run } = exec;
  const started = run.now();
  const elapsed = (): number => Math.max(0, run.now() - started);
  switch (prepared.kind) {
    case 'hello':
      return { outcome: { ok: true, outputs: {}, durationMs: 0 } };
    case 'embedded':
      return { outcome: await runEmbedded(exec, prepared, target, elapsed) };
    case 'step': {
      if (prepared.repeat !== undefined) return runRepeated(exec, prepared, prepared.repeat, target, elapsed);
      const result = await runAttempt({
        run,
        stepType: prepared.stepType,
        config: prepared.config,
        key: target.key,
        attempt: target.attempt,
        timeoutMs: prepared.timeoutMs,
        phase: target.phase,
        log: target.log,
        env: prepared.env,
      });
      if (result.ok)
        return { outcome: { ok: true, outputs: result.outputs, durationMs: durationOf(result.outputs, elapsed()) } };
      const { failure, outputs } = failureOf(result.error);
      return { outcome: { ok: false, failure, outputs, durationMs: elapsed() }, abort: result.abort };
    }
  }
}

/** The step `count` times (a pool of `concurrency`), each run under a key of its own (`key#n`). */
async function runRepeated(
  exec: Executor,
  prepared: Extract<PreparedAction, { kind: 'step' }>,
  repeat: { count: number; concurrency: number },
  target: { key: string; phase: StepPhase; attempt: number; log: StepLogger },
  elapsed: () => number,
): Promise<{ outcome: ActionOutcome; abort?: AbortKind | undefined }> {
  const runs: ActionRun[] = [];
  let abort: AbortKind | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < repeat.count && abort === undefined) {
      const index = next++;
      const result = await runAttempt({
        run: exec.run,
        stepType: prepared.stepType,
        config: prepared.config,
        key: `${target.key}#${index + 1}`,
        attempt: target.attempt,
        timeoutMs: prepared.timeoutMs,
        phase: target.phase,
        log: target.log,
        env: prepared.env,
      });
      if (result.ok) runs[index] = { ok: true, outputs: result.outputs };
      else {
        const { failure, outputs } = failureOf(result.error);
        runs[index] = { ok: false, outputs, failure };
        if (result.abort !== undefined && result.abort !== 'timeout') abort = result.abort;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(repeat.concurrency, repeat.count)) }, worker));
  const done = runs.filter((run): run is ActionRun => run !== undefined);
  const failed = done.find((run) => !run.ok);
  const outputs = { runs: done };
  return failed?.failure === undefined
    ? { outcome: { ok: true, outputs, durationMs: elapsed() }, abort }
    : { outcome: { ok: false, failure: failed.failure, outputs, durationMs: elapsed() }, abort };
}

/** The action's own measure of its round trip (`http`'s `duration_ms`) when it gives one. */
function durationOf(outputs: Record<string, unknown>, fallback: number): number {
  return typeof outputs.duration_ms === 'number' ? outputs.duration_ms : fallback;
}

async function runEmbedded(
  exec: Executor,
  prepared: Extract<PreparedAction, { kind: 'embedded' }>,
  target: { key: string; frame: StepFrame; phase: StepPhase; attempt: number },
  elapsed: () => number,
): Promise<ActionOutcome> {
  const read = exec.run.options.readJobFile;
  const fail = (message: string): ActionOutcome => ({
    ok: false,
    failure: { code: 'CONFIG_INVALID', message, retryable: false },
    outputs: {},
    durationMs: elapsed(),
  });
  if (read === undefined) {
    return fail(
      `embedded ${prepared.path}: this host does not read job files (flotilla run does; \`flotilla convert\` inlines them)`,
    );
  }
  let text: string;
  try {
    text = await read(prepared.path);
  } catch (err) {
    return fail(`embedded ${prepared.path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const compiled = compileJobFile(text, prepared.path);
  if ('error' in compiled) return fail(`embedded ${compiled.error}`);
  const outer = target.frame.probe;
  const outputs = new ProbeOutputs();
  const scope = { vars: prepared.vars, outputs, repeatIndex: 0, home: outer?.home };
  const prefix = `${target.key}${target.attempt > 1 ? `@${target.attempt}` : ''}/`;
  const status = await runProbeJobSteps(exec, compiled.job, target.frame.probeRun(prefix, scope), target.phase);
  const result = { outputs: outputs.view() };
  return status === 'succeeded'
    ? { ok: true, outputs: result, durationMs: elapsed() }
    : {
        ok: false,
        failure: { code: 'STEP_FAILED', message: `the embedded job ${prepared.path} failed`, retryable: false },
        outputs: result,
        durationMs: elapsed(),
      };
}
