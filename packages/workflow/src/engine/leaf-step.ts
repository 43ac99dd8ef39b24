import { z } from 'zod';
import { evaluateExpression, resolveTemplates } from '../expressions/evaluate.js';
import type { StepFailure, StepStatus } from '@flotilla/protocol';
import type { StepPhase } from '../journal/journal-record.js';
import type { StepReplay } from '../journal/journal-replay.js';
import type { StepNode } from '../model.js';
import { StepError } from '../step-type.js';
import type { EffectClass, StepLogger } from '../step-type.js';
import { runAttempt } from './attempt.js';
import type { AttemptResult } from './attempt.js';
import type { NodeOutcome } from './executor.js';
import { isFatal } from './run-context.js';
import type { RunContext } from './run-context.js';
import { abortKindOf, failureOf, formatMs, retryDelayMs } from './step-failure.js';
import type { StepFrame } from './step-frame.js';

function stepLogger(run: RunContext, key: string): StepLogger {
  const emit = (stream: 'stdout' | 'stderr' | 'system', text: string): void => {
    for (const line of text.includes('\n') ? text.split('\n') : [text]) {
      run.emit({ kind: 'log', runId: run.runId, ts: run.now(), step: key, stream, line: run.init.mask.text(line) });
    }
  };
  return {
    stdout: (line) => {
      emit('stdout', line);
    },
    stderr: (line) => {
      emit('stderr', line);
    },
    info: (line) => {
      emit('system', line);
    },
  };
}

/** Status and failure of an attempt that did not succeed. */
export function classify(result: Extract<AttemptResult, { ok: false }>): {
  status: StepStatus;
  failure: StepFailure;
  outputs: Record<string, unknown>;
} {
  const message = result.error instanceof Error ? result.error.message : String(result.error);
  // what the step produced before it stopped (a StepError carries its partial outputs)
  const outputs = result.error instanceof StepError ? result.error.outputs : {};
  switch (result.abort) {
    case 'timeout':
      // a timeout may be transient, so the retry policy applies
      return { status: 'timed_out', failure: { code: 'STEP_TIMEOUT', message, retryable: true }, outputs };
    case 'deadline':
      return { status: 'timed_out', failure: { code: 'RUN_TIMEOUT', message, retryable: false }, outputs };
    case 'cancelled':
    case 'fatal':
      return { status: 'cancelled', failure: { code: 'CANCELLED', message, retryable: false }, outputs };
    case undefined: {
      const { failure, outputs } = failureOf(result.error);
      return { status: 'failed', failure, outputs };
    }
  }
}

/**
 * Runs (or resumes) a step of a registered type: resolve and parse its config, decide from the
 * journal and the effect class whether an interrupted attempt may be repeated, then try up to
 * `retry.attempts` times. Each attempt's start is journaled durably before the step runs.
 */
export async function runLeaf(
  run: RunContext,
  target: { node: StepNode; key: string; frame: StepFrame; phase: StepPhase },
  replay: StepReplay | undefined,
): Promise<NodeOutcome> {
  const { node, key, frame, phase } = target;
  let maxAttempts = Math.max(1, node.retry.attempts);
  const end = async (
    status: StepStatus,
    attempt: number,
    extra: { error?: StepFailure; outputs?: Record<string, unknown>; startedAt?: number } = {},
  ): Promise<NodeOutcome> => {
    await run.finish({ ...target, status, attempt, maxAttempts, ...extra });
    return { status, fatal: isFatal(node, status) };
  };

  const stepType = run.options.registry.get(node.type);
  if (stepType === undefined) {
    return end('failed', 0, {
      error: { code: 'CONFIG_INVALID', message: `unknown step type "${node.type}"`, retryable: false },
    });
  }
  let prepared: { config: unknown; effect: EffectClass } | StepFailure;
  try {
    const parsed = stepType.configSchema.safeParse(resolveTemplates(node.config, run.scope(frame)));
    prepared = parsed.success
      ? { config: parsed.data, effect: node.effect ?? stepType.effect(parsed.data) }
      : {
          code: 'CONFIG_INVALID',
          message: `invalid config for a ${node.type} step: ${z.prettifyError(parsed.error)}`,
          retryable: false,
        };
  } catch (err) {
    prepared = { ...failureOf(err).failure, retryable: false };
  }
  if ('code' in prepared) return end('failed', 0, { error: prepared });
  const { config, effect } = prepared;

  const log = stepLogger(run, key);
  let attempt = 1;
  if (replay?.kind === 'in-flight') {
    if (effect === 'at-most-once' && node.onInterrupt !== 'retry') {
      const message = `attempt ${replay.attempt} was in flight when the process stopped; an at-most-once step is not repeated (set on_interrupt: retry to allow it)`;
      return end('interrupted', replay.attempt, { error: { code: 'INTERRUPTED', message, retryable: false } });
    }
    log.info(`attempt ${replay.attempt} was in flight when the process stopped; running the ${effect} step again`);
  }
  if (replay?.kind === 'in-flight' || replay?.kind === 'retrying') {
    attempt = replay.attempt + 1;
    maxAttempts = Math.max(maxAttempts, attempt);
  }

  const startedAt = run.now();
  const signal = run.signal(phase);
  for (; ; attempt++) {
    if (signal.aborted) {
      const { status, failure } = classify({ ok: false, error: signal.reason, abort: abortKindOf(signal) });
      if (run.fatal !== undefined) throw run.fatal.error;
      return end(status, attempt - 1, { error: failure, startedAt });
    }
    await run.append({ type: 'step.started', ts: run.now(), step: key, attempt });
    run.emit({
      kind: 'step.started',
      runId: run.runId,
      ts: run.now(),
      step: key,
      name: run.stepName(node, frame),
      attempt,
    });
    const result = await runAttempt({
      run,
      stepType,
      config,
      key,
      attempt,
      timeoutMs: node.timeoutMs,
      phase,
      log,
    });
    if (result.ok) {
      let outputs = result.outputs;
      const declared = Object.entries(node.outputs);
      if (declared.length > 0) {
        try {
          frame.steps[node.id] = { outputs, status: 'succeeded' };
          const scope = run.scope(frame);
          outputs = { ...outputs };
          for (const [name, expression] of declared) outputs[name] = evaluateExpression(expression, scope);
        } catch (err) {
          return end('failed', attempt, {
            error: { ...failureOf(err).failure, retryable: false },
            outputs: result.outputs,
            startedAt,
          });
        }
      }
      return end('succeeded', attempt, { outputs, startedAt });
    }
    if (result.abort === 'fatal' && run.fatal !== undefined) throw run.fatal.error;
    const { status, failure, outputs } = classify(result);
    if (failure.retryable && attempt < maxAttempts && !signal.aborted) {
      const delay = retryDelayMs(node.retry, attempt);
      const masked = { ...failure, message: run.init.mask.text(failure.message) };
      await run.append({ type: 'step.retrying', ts: run.now(), step: key, attempt, error: masked });
      log.info(
        `attempt ${attempt} of ${maxAttempts} failed (${failure.code}): ${failure.message}; retrying in ${formatMs(delay)}`,
      );
      const wait = run.linkedSignal(phase);
      await run.options.clock.sleep(delay, wait.controller.signal).catch(() => undefined);
      wait.dispose();
      continue;
    }
    return end(status, attempt, { error: failure, outputs, startedAt });
  }
}
