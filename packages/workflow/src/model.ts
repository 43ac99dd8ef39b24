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
  /** Children of control steps: `then`/`else` for `if`, `tasks` for `foreach`/`parallel`. */
  then?: StepNode[] | undefined;
  else?: StepNode[] | undefined;
  tasks?: StepNode[] | undefined;
  location: SourceLocation;
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
  /** Canvas positions for the visual editor; ignored by the engine. */
  layout?: unknown;
}
