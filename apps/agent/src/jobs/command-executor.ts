import { FlotillaError, isFlotillaError, type JobPayload } from '@flotilla/protocol';
import { parseCommandWorkflow, type CommandStep } from './command-workflow.js';
import type { RunEventSink, RunExecutor, RunResult } from './run-executor.js';
import { runStepProcess, type StepProcessResult } from './step-process.js';

export interface CommandExecutorOptions {
  /** Between SIGTERM and SIGKILL of a step's process group. */
  readonly killGraceMs: number;
  /** Base environment of every step; `process.env` minus agent secrets by default. */
  readonly baseEnv?: Readonly<Record<string, string>> | undefined;
}

/** Variables of the agent's own environment that must never reach a step. */
const PRIVATE_ENV = ['FLOTILLA_ENROLL_TOKEN'];

/**
 * The foundation executor: `command` steps in order, stopping at the first failure. Replaced by
 * the workflow engine later (same `RunExecutor` seam).
 */
export function createCommandExecutor(options: CommandExecutorOptions): RunExecutor {
  const baseEnv = options.baseEnv ?? inheritedEnv();
  return {
    async execute(payload: JobPayload, sink: RunEventSink, signal: AbortSignal): Promise<RunResult> {
      let steps: CommandStep[];
      try {
        steps = parseCommandWorkflow(payload.workflow);
      } catch (err) {
        if (!isFlotillaError(err)) throw err;
        return { state: 'failed', exitCode: null, error: `${err.code}: ${err.message}` };
      }
      let exitCode: number | null = null;
      for (const step of steps) {
        if (signal.aborted) return abortedResult(signal, exitCode);
        const ts = (): string => new Date().toISOString();
        sink.emit({ kind: 'step.started', ts: ts(), step: step.id, attempt: 1 });
        const result = await runStepProcess({
          file: step.file,
          args: step.args,
          cwd: step.cwd,
          env: { ...baseEnv, ...step.env },
          timeoutMs: step.timeoutMs,
          killGraceMs: options.killGraceMs,
          signal,
          onLine: (stream, line) => {
            sink.emit({ kind: 'log', ts: ts(), step: step.id, stream, line });
          },
        });
        exitCode = result.exitCode;
        const status = stepStatus(result, signal);
        const error = stepError(result, step);
        sink.emit({
          kind: 'step.finished',
          ts: ts(),
          step: step.id,
          status,
          exitCode,
          ...(error === undefined ? {} : { error }),
        });
        if (status === 'succeeded') continue;
        if (status === 'cancelled' || status === 'interrupted') return abortedResult(signal, exitCode);
        return { state: status, exitCode, error: error ?? `step ${step.id} failed` };
      }
      return { state: 'succeeded', exitCode };
    },
  };
}

function stepStatus(
  result: StepProcessResult,
  signal: AbortSignal,
): 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'interrupted' {
  switch (result.ending) {
    case 'timed_out':
      return 'timed_out';
    case 'aborted':
      return abortCode(signal) === 'CANCELLED' ? 'cancelled' : 'interrupted';
    case 'spawn_failed':
      return 'failed';
    case 'exited':
      return result.exitCode === 0 ? 'succeeded' : 'failed';
  }
}

function stepError(result: StepProcessResult, step: CommandStep): string | undefined {
  switch (result.ending) {
    case 'timed_out':
      return `step ${step.id} exceeded its timeout of ${step.timeoutMs}ms`;
    case 'spawn_failed':
      return result.error;
    case 'aborted':
      return `step ${step.id} was stopped`;
    case 'exited':
      return result.exitCode === 0 ? undefined : `step ${step.id} exited with code ${result.exitCode ?? 'unknown'}`;
  }
}

function abortCode(signal: AbortSignal): string {
  return signal.reason instanceof FlotillaError ? signal.reason.code : 'INTERRUPTED';
}

function abortedResult(signal: AbortSignal, exitCode: number | null): RunResult {
  return abortCode(signal) === 'CANCELLED'
    ? { state: 'cancelled', exitCode, error: 'the run was cancelled' }
    : { state: 'interrupted', exitCode, error: 'the agent stopped while the run was in flight' };
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !PRIVATE_ENV.includes(key)) env[key] = value;
  }
  return env;
}
