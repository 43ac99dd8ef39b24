import type { StepFailure, StepStatus } from '@flotilla/protocol';
import type { SkipReason } from '../../engine/engine-events.js';
import type { Executor, NodeOutcome } from '../../engine/executor.js';
import { classify } from '../../engine/leaf-step.js';
import { isFatal } from '../../engine/run-context.js';
import { createSecretMasker } from '../../engine/secret-masker.js';
import type { SecretMasker } from '../../engine/secret-masker.js';
import { formatMs } from '../../engine/step-failure.js';
import type { StepFrame } from '../../engine/step-frame.js';
import type { StepPhase } from '../../journal/journal-record.js';
import type { StepReplay } from '../../journal/journal-replay.js';
import type { ProbeStepSpec, StepNode } from '../../model.js';
import type { StepLogger } from '../../step-type.js';
import { PROBE_ACTIONS } from '../actions/index.js';
import { renderProbeTemplates } from '../expression/index.js';
import { attemptAction, prepareAction } from './action-attempt.js';
import { publishedOutputs, publish } from './probe-adoption.js';
import { baseEnv, evaluateBoolean, renderText, resultEnv, stepVars } from './probe-env.js';
import type { ProbeEnv } from './probe-env.js';
import type { ProbeScope } from './probe-scope.js';
import { judge } from './test-verdict.js';

interface Target {
  node: StepNode;
  key: string;
  frame: StepFrame;
  phase: StepPhase;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function stepLogger(exec: Executor, key: string, mask: SecretMasker): StepLogger {
  const { run } = exec;
  const emit = (stream: 'stdout' | 'stderr' | 'system', text: string): void => {
    for (const line of text.split('\n')) {
      run.emit({ kind: 'log', runId: run.runId, ts: run.now(), step: key, stream, line: mask.text(line) });
    }
  };
  return { stdout: (l) => emit('stdout', l), stderr: (l) => emit('stderr', l), info: (l) => emit('system', l) };
}

async function sleep(exec: Executor, phase: StepPhase, ms: number): Promise<void> {
  if (ms <= 0) return;
  const wait = exec.run.linkedSignal(phase);
  await exec.run.options.clock.sleep(ms, wait.controller.signal).catch(() => undefined);
  wait.dispose();
}

/**
 * Runs a probe step (`node.probe.kind === 'step'`): once, or once per `iteration` entry under
 * `key[i]`. The step's own journal record summarises its runs.
 */
export async function runProbeStep(
  exec: Executor,
  target: Target,
  replay: StepReplay | undefined,
): Promise<NodeOutcome> {
  const spec = target.node.probe as ProbeStepSpec;
  const scope = target.frame.probe;
  if (scope === undefined) throw new Error('a probe step runs in a probe job');
  if (spec.iteration === undefined) return runOnce(exec, target, scope, replay, undefined);
  const { run } = exec;
  const startedAt = run.now();
  if (replay?.kind !== 'in-flight') {
    await run.append({ type: 'step.started', ts: startedAt, step: target.key, attempt: 1 });
  }
  let status: StepStatus = 'succeeded';
  for (const [i, entry] of spec.iteration.entries()) {
    const key = `${target.key}[${i}]`;
    const child = run.init.replay.steps.get(key);
    const outcome =
      child?.kind === 'finished'
        ? { status: child.record.status, fatal: isFatal(target.node, child.record.status) }
        : await runOnce(exec, { ...target, key }, scope, child, entry);
    if (child?.kind === 'finished') publish(scope, child.record.outputs);
    if (outcome.fatal) status = outcome.status === 'failed' ? 'failed' : outcome.status;
  }
  const error: StepFailure | undefined =
    status === 'succeeded'
      ? undefined
      : { code: 'STEP_FAILED', message: 'a run of the iteration failed', retryable: false };
  await run.finish({ ...target, status, attempt: 1, startedAt, outputs: { count: spec.iteration.length }, error });
  return { status, fatal: isFatal(target.node, status) };
}

async function runOnce(
  exec: Executor,
  target: Target,
  scope: ProbeScope,
  replay: StepReplay | undefined,
  iteration: Record<string, unknown> | undefined,
): Promise<NodeOutcome> {
  const { run } = exec;
  const { node, key, phase } = target;
  const spec = node.probe as ProbeStepSpec;
  let mask = run.init.mask;
  let shown = node;
  const end = async (
    status: StepStatus,
    attempt: number,
    extra: {
      error?: StepFailure;
      outputs?: Record<string, unknown>;
      startedAt?: number;
      skipReason?: SkipReason;
    } = {},
  ): Promise<NodeOutcome> => {
    const outputs = extra.outputs === undefined ? undefined : (mask.value(extra.outputs) as Record<string, unknown>);
    const error = extra.error === undefined ? undefined : { ...extra.error, message: mask.text(extra.error.message) };
    await run.finish({ ...target, node: shown, status, attempt, ...extra, outputs, error });
    return { status, fatal: isFatal(node, status) };
  };
  const failed = (error: StepFailure): Promise<NodeOutcome> =>
    end('failed', 0, { error: { ...error, retryable: false } });

  // vars, name, skipif, wait, with: in probe's order
  let vars: Record<string, unknown>;
  let env: ProbeEnv;
  try {
    vars = stepVars(scope, spec.vars, iteration);
    env = baseEnv(scope, vars);
    shown = { ...node, name: renderText(node.name, env) };
  } catch (err) {
    return failed({ code: 'EXPRESSION_ERROR', message: `vars or name: ${messageOf(err)}`, retryable: false });
  }
  const log = (): StepLogger => stepLogger(exec, key, mask);
  if (spec.skipif !== undefined) {
    let skip = false;
    try {
      skip = evaluateBoolean(spec.skipif, env);
    } catch (err) {
      // probe runs the step when its skipif cannot be evaluated, and says why
      log().info(`skipif ${spec.skipif}: ${messageOf(err)}; the step runs`);
    }
    if (skip)
      return end('skipped', 0, { skipReason: { code: 'CONDITION_FALSE', condition: `skipif: ${spec.skipif}` } });
  }
  if (replay === undefined) await sleep(exec, phase, spec.waitMs);
  let input: Record<string, unknown>;
  try {
    input = renderProbeTemplates(spec.with, env) as Record<string, unknown>;
  } catch (err) {
    return failed({ code: 'EXPRESSION_ERROR', message: `with: ${messageOf(err)}`, retryable: false });
  }
  const action = PROBE_ACTIONS.get(spec.action);
  if (action === undefined)
    return failed({ code: 'CONFIG_INVALID', message: `unknown action "${spec.action}"`, retryable: false });
  const ready = prepareAction(action, input, {
    registry: run.options.registry,
    secrets: run.init.secrets,
    home: scope.home,
    timeoutMs: node.timeoutMs,
  });
  if ('failure' in ready) return failed(ready.failure);
  if (ready.secrets.length > 0) mask = createSecretMasker([...Object.values(run.init.secrets), ...ready.secrets]);

  const maxAttempts = spec.retry?.maxAttempts ?? 1;
  let attempt = 1;
  if (replay?.kind === 'in-flight') {
    if (ready.prepared.effect === 'at-most-once' && node.onInterrupt !== 'retry') {
      const message = `attempt ${replay.attempt} was in flight when the process stopped; an at-most-once step is not repeated`;
      return end('interrupted', replay.attempt, { error: { code: 'INTERRUPTED', message, retryable: false } });
    }
    attempt = replay.attempt + 1;
  } else if (replay?.kind === 'retrying') {
    attempt = replay.attempt + 1;
  } else {
    await sleep(exec, phase, spec.retry?.initialDelayMs ?? 0);
  }
  const startedAt = run.now();
  const signal = run.signal(phase);
  for (; ; attempt++) {
    if (signal.aborted) {
      if (run.fatal !== undefined) throw run.fatal.error;
      const { status, failure } = classify({ ok: false, error: signal.reason, abort: 'cancelled' });
      return end(status, attempt - 1, { error: failure, startedAt });
    }
    await run.append({ type: 'step.started', ts: run.now(), step: key, attempt });
    run.emit({ kind: 'step.started', runId: run.runId, ts: run.now(), step: key, name: shown.name, attempt });
    const tried = await attemptAction(exec, ready.prepared, { key, frame: target.frame, phase, attempt, log: log() });
    if (tried.abort !== undefined && tried.abort !== 'timeout') {
      if (tried.abort === 'fatal' && run.fatal !== undefined) throw run.fatal.error;
      const { status, failure } = classify({
        ok: false,
        error: new Error(tried.outcome.ok ? '' : tried.outcome.failure.message),
        abort: tried.abort,
      });
      return end(status, attempt, { error: failure, startedAt });
    }
    const result = action.toResult(tried.outcome, input);
    // the step's own timeout stops the action: a failure whatever the action makes of it (a
    // limit `with` sets is a result for an action that says so)
    const withLimit = ready.prepared.kind === 'step' && ready.prepared.limitFromWith && action.timeoutIsResult === true;
    if (tried.abort === 'timeout' && !tried.outcome.ok && !withLimit) result.error ??= tried.outcome.failure;
    const after = resultEnv(env, result, tried.outcome.durationMs);
    const verdict = judge(spec, result, after);
    if (verdict.retry && attempt < maxAttempts && !signal.aborted) {
      const interval = spec.retry?.intervalMs ?? 0;
      const why = verdict.passed
        ? { code: 'STEP_FAILED' as const, message: `status ${result.status}`, retryable: true }
        : verdict.failure;
      const masked = { ...why, message: mask.text(why.message) };
      await run.append({ type: 'step.retrying', ts: run.now(), step: key, attempt, error: masked });
      log().info(`attempt ${attempt} of ${maxAttempts} failed: ${masked.message}; retrying in ${formatMs(interval)}`);
      await sleep(exec, phase, interval);
      continue;
    }
    let echo: string | undefined;
    if (spec.echo !== undefined) {
      try {
        echo = renderText(spec.echo, after).replace(/\n$/, '');
      } catch (err) {
        // as probe: the error in place of the text; the step's result does not change
        echo = `echo: ${messageOf(err)}`;
      }
      log().stdout(echo);
    }
    const published =
      result.error === undefined ? publishedOutputs(spec, after, (line) => log().info(line)) : undefined;
    if (published !== undefined && spec.publishAs !== undefined) scope.outputs.set(spec.publishAs, published);
    const outputs = {
      status: result.status,
      res: result.res,
      req: result.req,
      rt: after.rt,
      ...(echo === undefined ? {} : { echo }),
      ...(published === undefined || spec.publishAs === undefined
        ? {}
        : { published: { as: spec.publishAs, outputs: published } }),
    };
    if (verdict.passed) return end('succeeded', attempt, { outputs, startedAt });
    const status: StepStatus = tried.abort === 'timeout' ? 'timed_out' : 'failed';
    return end(status, attempt, { error: verdict.failure, outputs, startedAt });
  }
}
