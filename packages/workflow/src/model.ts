import type { EffectClass } from './step-type.js';

/**
 * The compiled workflow: what validation produces and the engine executes. Durations are in
 * milliseconds, aliases are resolved, `needs` is explicit. Templating (`{{.X}}`, `${{ }}`) stays
 * in `config` values as text and is resolved per step at run time.
 */
export interface SourceLocation {
  line: number;
  column: number;
}

export interface RetryPolicy {
  /** Every try, the first included. @default 1 */
  attempts: number;
  delayMs: number;
  backoff: 'fixed' | 'exponential';
  maxDelayMs: number;
}

export interface InputSpec {
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  description?: string | undefined;
  required: boolean;
  default?: unknown;
  enum?: readonly unknown[] | undefined;
}

export interface StepNode {
  /** `id`, else `name`. Unique within the workflow. */
  id: string;
  name: string;
  /** A step type from the registry, or a control type: `if`, `foreach`, `parallel`, `workflow`. */
  type: string;
  config: Record<string, unknown>;
  /** Resolved dependencies (ids); implicit "previous step" made explicit. */
  needs: string[];
  /** Expression source of `if:`, when present. */
  condition?: string | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
  continueOnError: boolean;
  onInterrupt: 'fail' | 'retry';
  /** Explicit `effect:` override; otherwise the step type decides. */
  effect?: EffectClass | undefined;
  /** `{name: expression}` evaluated after the step succeeds. */
  outputs: Record<string, string>;
  rollback?: StepNode | undefined;
  /**
   * Set only on nodes compiled from a linyows/probe document (`probe/compile-probe.ts`): a job
   * (`type: 'probe-job'`, its steps in `tasks`) or a step, run with probe's semantics
   * (`probe/runtime/`). Flotilla documents never have it.
   */
  probe?: ProbeJobSpec | ProbeStepSpec | undefined;
  /** Children of control steps: `then`/`else` for `if`, `tasks` for `foreach`/`parallel`. */
  then?: StepNode[] | undefined;
  else?: StepNode[] | undefined;
  tasks?: StepNode[] | undefined;
  location: SourceLocation;
}

/**
 * What becomes of the other top-level steps when one fails: `stop` (Flotilla: nothing new
 * starts, the rest is skipped) or `skip-dependents` (probe's jobs: only the steps that need the
 * failed one, directly or not, are skipped; independent ones go on).
 */
export type AfterFailure = 'stop' | 'skip-dependents';

/** A probe job (`type: 'probe-job'`): its steps all run in order, even after one fails. */
export interface ProbeJobSpec {
  kind: 'job';
  /** Expression (probe dialect): the job is skipped when it is true. */
  skipif?: string | undefined;
  /** Run the steps `count` times, `intervalMs` apart; `async` starts each run without waiting for the last. */
  repeat?: { count: number; intervalMs: number; async: boolean } | undefined;
}

/** Retry of a probe step: attempts until its test passes (or, without a test, its action's status is 0). */
export interface ProbeRetry {
  maxAttempts: number;
  intervalMs: number;
  initialDelayMs: number;
}

/** A probe step: an action (`uses`) whose result model `res`/`req`/`rt`/`status` a `test` judges. */
export interface ProbeStepSpec {
  kind: 'step';
  /** `http`, `shell`, `db`, `ssh`, `smtp`, `hello` or `embedded` (`probe/actions/`). */
  action: string;
  /** `with` merged over the job's `defaults` for the action; `{{ }}` templates resolved per attempt. */
  with: Record<string, unknown>;
  test?: string | undefined;
  echo?: string | undefined;
  skipif?: string | undefined;
  /** `{name: expression}`, published as `outputs.<id>.<name>` and `outputs.<name>` when `publishAs` is set. */
  outputs: Record<string, string>;
  /** The step's explicit `id`: only a step with one publishes outputs. */
  publishAs?: string | undefined;
  /** Step `vars` (templates), merged over the workflow's. */
  vars: Record<string, unknown>;
  /** Run the step once per entry, each entry's keys merged into `vars`. */
  iteration?: Record<string, unknown>[] | undefined;
  /** Sleep before the step (after `skipif`). */
  waitMs: number;
  retry?: ProbeRetry | undefined;
}

/** Workflow-level probe semantics. */
export interface ProbeWorkflowSpec {
  /**
   * Top-level `vars` as written: their templates are evaluated once when the run starts, against
   * the run's environment (`RunRequest.environment`) and secrets, and become `vars`.
   */
  vars: Record<string, unknown>;
}

/**
 * The workflow a `type: workflow` step calls: a document file relative to the caller
 * (`flotilla run`), or a workflow by name, optionally at one version.
 */
export type WorkflowCallTarget =
  | { path: string; name?: undefined; version?: undefined }
  | { name: string; version?: number | undefined; path?: undefined };

/** One input a call step passes, with where it is written (for problems found before the run). */
export interface WorkflowCallInput {
  name: string;
  value: unknown;
  /** Holds `{{.X}}` or `${{ }}`: its value is known only at run time. */
  templated: boolean;
  keyLocation: SourceLocation;
  location: SourceLocation;
}

/** A `type: workflow` step of a document, as the hosts that resolve calls before a run need it. */
export interface WorkflowCallSite {
  /** The step's id. */
  step: string;
  /** Where the step's config is in the document: `tasks[2].config`. */
  configPath: string;
  target: WorkflowCallTarget;
  location: SourceLocation;
  /** Of `config.path` or `config.name`. */
  targetLocation: SourceLocation;
  /** The literal `config.inputs`; undefined when `inputs` is one template, known only at run time. */
  inputs: WorkflowCallInput[] | undefined;
  /** Of `config.inputs`, else of the config. */
  inputsLocation: SourceLocation;
}

export interface CompiledWorkflow {
  name: string;
  description?: string | undefined;
  timeoutMs: number;
  variables: Record<string, unknown>;
  inputs: Record<string, InputSpec>;
  secrets: string[];
  onFailure: 'stop' | 'rollback';
  steps: StepNode[];
  finally: StepNode[];
  /** `{name: expression}` a workflow gives back to a workflow that calls it. @default {} */
  outputs?: Record<string, string> | undefined;
  /** Its `type: workflow` steps (set by validation; hosts resolve them before a run starts). */
  calls?: WorkflowCallSite[] | undefined;
  /**
   * Where the host loaded the document from (an absolute file, `name@version`), so that the
   * calls it makes can be resolved relative to it. Hosts set it; validation does not.
   */
  source?: string | undefined;
  /** Canvas positions for the visual editor; ignored by the engine. */
  layout?: unknown;
  /** @default 'stop' */
  afterFailure?: AfterFailure | undefined;
  /** Set only when compiled from a linyows/probe document. */
  probe?: ProbeWorkflowSpec | undefined;
}
