import type { ErrorCode } from '@flotilla/protocol';

/** What a step's result looks like to later expressions: `steps.<id>.outputs|status|result`. */
export interface StepScope {
  outputs: Record<string, unknown>;
  status: string;
  result?: unknown;
}

/** The agent a run executes on: `agent.name`, `agent.labels`, `agent.os`. */
export interface AgentScope {
  name: string;
  labels: Record<string, string>;
  os: string;
}

/**
 * Everything `{{.NAME}}` and `${{ expr }}` can see at run time (SPEC §5.1 contexts). The engine
 * builds one per step; `item`/`index` are set only inside a `foreach`.
 */
export interface TemplateScope {
  inputs: Record<string, unknown>;
  vars: Record<string, unknown>;
  secrets: Record<string, string>;
  steps: Record<string, StepScope>;
  item?: unknown;
  index?: number;
  agent?: AgentScope;
  job?: Record<string, unknown>;
  run?: Record<string, unknown>;
}

/**
 * A template or expression could not be evaluated at run time (unknown name, type error,
 * division by zero…). Retrying the same step cannot help, hence `retryable: false`.
 */
export class TemplateError extends Error {
  readonly code: ErrorCode = 'EXPRESSION_ERROR';
  readonly retryable = false;
  /** The expression or `{{.NAME}}` placeholder that failed. */
  readonly source: string;

  constructor(source: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'TemplateError';
    this.source = source;
  }
}
