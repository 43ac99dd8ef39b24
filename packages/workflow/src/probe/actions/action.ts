import type { StepFailure } from '@flotilla/protocol';
import type { z } from 'zod';

/** What a probe step's action produced: the step type's outputs, or its failure (with partial outputs). */
export type ActionOutcome =
  | { ok: true; outputs: Record<string, unknown>; durationMs: number }
  | { ok: false; failure: StepFailure; outputs: Record<string, unknown>; durationMs: number };

/**
 * Probe's result model of one action run: what `test`, `echo` and `outputs` read as `res`, `req`
 * and `status` (`rt` is added from the duration). `error` is set when the action itself failed
 * (no connection, a timeout, a query the database refused): the step then fails whatever its
 * test says, as in probe.
 */
export interface ProbeResult {
  res: Record<string, unknown>;
  req: Record<string, unknown>;
  /** 0 when the action succeeded by its own measure (a 2xx answer, exit code 0), else 1. */
  status: number;
  error?: StepFailure | undefined;
}

/** A step type config the action runs on, and the attempt's own time limit when `with` sets one. */
export interface ActionStep {
  config: Record<string, unknown>;
  timeoutMs?: number | undefined;
  /** Values to hide in logs and outputs (credentials written into `with`). */
  secrets?: string[] | undefined;
  /** Extra environment for the step (credentials referenced by name from `config`). */
  env?: Record<string, string> | undefined;
  /**
   * Run the step `count` times, at most `concurrency` at once (smtp's `message` and `session`):
   * the outcome's outputs are then `{runs: [{ok, outputs, failure?}]}`, one per run.
   */
  repeat?: { count: number; concurrency: number } | undefined;
}

/** One of the runs of an action with `ActionStep.repeat`. */
export interface ActionRun {
  ok: boolean;
  outputs: Record<string, unknown>;
  failure?: StepFailure | undefined;
}

/** What the host tells an action about where it runs. */
export interface ActionContext {
  /** The home directory for `~` in paths (from the run's environment), when known. */
  home?: string | undefined;
}

/** Bad `with` found at run time (after templates are rendered): the step fails with CONFIG_INVALID. */
export class ProbeActionError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ProbeActionError';
  }
}

/**
 * One of probe's actions (`uses:`), mapped onto a Flotilla step type: its `with` is checked by
 * `withSchema`, turned into that step type's config by `toStep`, and the step's outputs are
 * turned back into probe's result model by `toResult`. Adding an action is one file plus one
 * line in `actions/index.ts`.
 */
export interface ProbeAction {
  readonly name: string;
  /**
   * The Flotilla step type the action runs on; `undefined` for the actions the engine runs
   * itself (`hello`, `embedded`).
   */
  readonly stepType: string | undefined;
  /** Shape of `with` (defaults merged); values holding `{{ }}` are checked after rendering. */
  readonly withSchema: z.ZodType;
  /** Fields of probe's action that Flotilla does not implement, with the reason (UNSUPPORTED_FIELD). */
  readonly unsupportedFields: Readonly<Record<string, string>>;
  /**
   * Running past the time limit `with` sets is a result the test judges (`db`: `res.code` 1),
   * not a failure of the step. The step's own `timeout` always fails it.
   */
  readonly timeoutIsResult?: boolean | undefined;
  /** `with` as rendered → the step type's config. @throws ProbeActionError */
  toStep(input: Record<string, unknown>, context: ActionContext): ActionStep;
  /** The step's outcome → probe's result model. */
  toResult(outcome: ActionOutcome, input: Record<string, unknown>): ProbeResult;
}
