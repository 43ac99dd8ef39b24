import type { AgentScope, TemplateScope } from '../expressions/template-scope.js';
import type { Failure, StepFailure, StepStatus } from '@flotilla/protocol';
import type { JournalRecord, StepFinishedRecord, StepPhase } from '../journal/journal-record.js';
import type { RunReplay } from '../journal/journal-replay.js';
import type { CompiledWorkflow, StepNode } from '../model.js';
import type { CompiledEngineOptions } from './engine-options.js';
import type { EngineEvent, SkipReason } from './engine-events.js';
import { resolveDisplayName } from './display-names.js';
import { exitCodeOf } from './run-record.js';
import { adoptFinished } from './replay-adoption.js';
import type { SecretMasker } from './secret-masker.js';
import { EngineAbortError } from './step-failure.js';
import type { StepFrame } from './step-frame.js';

/** A completed step whose `rollback` may have to run, with its place in completion order. */
interface Completion {
  order: number;
  node: StepNode;
  key: string;
  frame: StepFrame;
}

/** What a finished step reports to `finish`. */
export interface StepEnd {
  node: StepNode;
  key: string;
  frame: StepFrame;
  phase: StepPhase;
  status: StepStatus;
  attempt: number;
  outputs?: Record<string, unknown> | undefined;
  error?: StepFailure | undefined;
  startedAt?: number | undefined;
  /** Reported on the event only (the journal and the run record do not carry it). */
  maxAttempts?: number | undefined;
  skipReason?: SkipReason | undefined;
}

/** Whether a step's end stops its block (and, at top level, fails the run). */
export function isFatal(node: StepNode, status: StepStatus): boolean {
  if (status === 'cancelled' || status === 'interrupted') return true;
  return (status === 'failed' || status === 'timed_out') && !node.continueOnError;
}

/**
 * The mutable state of one executing run: journal writes, events, the scope tables, the
 * completion order for rollback, and the signals of the run's phases. A journal failure is
 * fatal: the context refuses every later write and aborts everything (nothing more may happen
 * that could not be recorded).
 */
export class RunContext {
  readonly finished: StepFinishedRecord[];
  /** Every record of the run so far (replayed and appended), for compaction. */
  readonly records: JournalRecord[];
  readonly mainController = new AbortController();
  /** Rollback and `finally` still run after a cancel or deadline; only a fatal error stops them. */
  readonly cleanupController = new AbortController();
  runStatus = 'running';
  /** The failure that ends the run, with the key of its step. */
  firstFailure: Failure | undefined;
  fatal: { error: unknown } | undefined;
  private readonly completions: Completion[] = [];
  private liveOrder = 0;
  private readonly abortHooks = { main: new Set<AbortController>(), cleanup: new Set<AbortController>() };

  constructor(
    readonly options: CompiledEngineOptions,
    readonly init: {
      runId: string;
      workflow: CompiledWorkflow;
      /** The workflow's name with its placeholders resolved. */
      workflowName: string;
      secrets: Record<string, string>;
      mask: SecretMasker;
      replay: RunReplay;
      records: readonly JournalRecord[];
      agent?: AgentScope | undefined;
      job?: Record<string, unknown> | undefined;
    },
  ) {
    this.records = [...init.records];
    // one listener per phase signal, however many steps run at once: a listener per step
    // would pile up on the shared signal (and trip Node's listener-leak warning)
    for (const [signal, hooks] of [
      [this.mainController.signal, this.abortHooks.main],
      [this.cleanupController.signal, this.abortHooks.cleanup],
    ] as const) {
      signal.addEventListener(
        'abort',
        () => {
          for (const controller of hooks) controller.abort(signal.reason);
        },
        { once: true },
      );
    }
    this.finished = init.records.filter((r): r is StepFinishedRecord => r.type === 'step.finished');
  }

  get runId(): string {
    return this.init.runId;
  }

  now(): number {
    return this.options.clock.now();
  }

  signal(phase: StepPhase): AbortSignal {
    return phase === 'main' ? this.mainController.signal : this.cleanupController.signal;
  }

  /**
   * A fresh signal that aborts (with the same reason) when the phase's signal does; `dispose`
   * detaches it once the step or wait it guards is over.
   */
  linkedSignal(phase: StepPhase): { controller: AbortController; dispose: () => void } {
    const parent = this.signal(phase);
    const controller = new AbortController();
    if (parent.aborted) {
      controller.abort(parent.reason);
      return { controller, dispose: () => undefined };
    }
    const hooks = phase === 'main' ? this.abortHooks.main : this.abortHooks.cleanup;
    hooks.add(controller);
    return { controller, dispose: () => hooks.delete(controller) };
  }

  /** Durable append; the first failure becomes the run's fatal error. */
  async append(record: JournalRecord): Promise<void> {
    if (this.fatal !== undefined) throw this.fatal.error;
    try {
      await this.options.journal.append(this.runId, record);
    } catch (err) {
      this.failFatal(err);
      throw err;
    }
    this.records.push(record);
  }

  failFatal(error: unknown): void {
    if (this.fatal !== undefined) return;
    this.fatal = { error };
    const reason = new EngineAbortError('fatal', 'the run stopped: its journal or the engine failed');
    this.mainController.abort(reason);
    this.cleanupController.abort(reason);
  }

  emit(event: EngineEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // a listener's bug must not change the outcome of the run
    }
  }

  scope(frame: StepFrame): TemplateScope {
    return {
      inputs: frame.inputs,
      vars: frame.vars,
      secrets: this.init.secrets,
      steps: frame.steps,
      ...(frame.iteration === undefined ? {} : frame.iteration),
      ...(this.init.agent === undefined ? {} : { agent: this.init.agent }),
      ...(this.init.job === undefined ? {} : { job: this.init.job }),
      run: { id: this.runId, status: this.runStatus, workflow: this.init.workflowName },
    };
  }

  /** The step's name as records and events show it: placeholders resolved in its frame. */
  stepName(node: StepNode, frame: StepFrame): string {
    return this.init.mask.text(resolveDisplayName(node.name, this.scope(frame)));
  }

  /** Journals a step's end (awaited: dependants start only after), then publishes it. */
  async finish(end: StepEnd): Promise<void> {
    const ts = this.now();
    const error =
      end.error === undefined ? undefined : { ...end.error, message: this.init.mask.text(end.error.message) };
    const record: StepFinishedRecord = {
      type: 'step.finished',
      ts,
      step: end.key,
      name: this.stepName(end.node, end.frame),
      stepType: end.node.type,
      phase: end.phase,
      attempt: end.attempt,
      status: end.status,
      outputs: this.init.mask.value(end.outputs ?? {}) as Record<string, unknown>,
      ...(error === undefined ? {} : { error }),
      ...(end.startedAt === undefined ? {} : { startedAt: end.startedAt }),
    };
    await this.append(record);
    this.finished.push(record);
    this.register(end.node, end.frame, record, end.key, this.init.replay.finishedCount + this.liveOrder++);
    this.emit({
      kind: 'step.finished',
      runId: this.runId,
      ts,
      step: end.key,
      name: record.name,
      phase: end.phase,
      status: end.status,
      outputs: record.outputs,
      error: record.error,
      exitCode: exitCodeOf(record.outputs),
      attempts: end.attempt,
      maxAttempts: end.maxAttempts,
      skipReason: end.skipReason,
      durationMs: end.startedAt === undefined ? 0 : Math.max(0, ts - end.startedAt),
    });
  }

  /** Takes over a step (and its nested steps) that finished before a restart. */
  adopt(node: StepNode, frame: StepFrame, key: string): void {
    adoptFinished(
      {
        replay: this.init.replay,
        scope: (f) => this.scope(f),
        register: (n, f, record, order) => {
          this.register(n, f, record, record.step, order);
        },
      },
      node,
      frame,
      key,
    );
  }

  /**
   * Records a step that will not start. A step the journal already settled keeps its record;
   * one that was in flight when the process died is reported `interrupted`, since nobody can
   * say whether its effect happened.
   */
  async skip(node: StepNode, key: string, frame: StepFrame, phase: StepPhase, reason: SkipReason): Promise<void> {
    const replayed = this.init.replay.steps.get(key);
    if (replayed?.kind === 'finished') {
      this.adopt(node, frame, key);
      return;
    }
    if (replayed?.kind === 'in-flight') {
      const error = {
        code: 'INTERRUPTED' as const,
        message: 'the step was in flight when the process stopped',
        retryable: false,
      };
      await this.finish({ node, key, frame, phase, status: 'interrupted', attempt: replayed.attempt, error });
      return;
    }
    await this.finish({ node, key, frame, phase, status: 'skipped', attempt: 0, skipReason: reason });
  }

  /** Completed steps with a rollback, latest first. */
  rollbackOrder(): Completion[] {
    return [...this.completions].sort((a, b) => b.order - a.order);
  }

  private register(node: StepNode, frame: StepFrame, record: StepFinishedRecord, key: string, order: number): void {
    // a compensation step must not hide the result of the step it compensates
    if (record.phase !== 'rollback')
      frame.steps[node.id] = {
        outputs: record.outputs,
        status: record.status,
        result: {
          attempts: record.attempt,
          durationMs: record.startedAt === undefined ? 0 : record.ts - record.startedAt,
          exitCode: exitCodeOf(record.outputs) ?? null,
          error: record.error === undefined ? null : { code: record.error.code, message: record.error.message },
        },
      };
    if (record.phase === 'main' && record.status === 'succeeded' && node.rollback !== undefined) {
      this.completions.push({ order, node, key, frame });
    }
    if (record.phase === 'main' && isFatal(node, record.status) && record.error !== undefined) {
      this.firstFailure ??= { ...record.error, step: key };
    }
  }
}
