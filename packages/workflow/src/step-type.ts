import type { ErrorCode } from '@flotilla/protocol';
import type { z } from 'zod';

/**
 * What the engine may do with a step that was in flight when the agent crashed (SPEC §5.3):
 * `idempotent` steps run again, `at-most-once` steps are never repeated silently.
 */
export type EffectClass = 'idempotent' | 'at-most-once';

/** Lines a step produces; the engine masks secrets, sequences and forwards them. */
export interface StepLogger {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Engine/step commentary (the `system` stream). */
  info(line: string): void;
}

/** Local limits a step must respect (the agent's policy, SPEC §4). */
export interface StepPolicy {
  /** Absolute directories that file steps may touch; empty = no file access. */
  readonly allowedFileRoots: readonly string[];
  /** Services the `service` step may control. */
  readonly allowedServices: readonly string[];
  /**
   * Programs that steps may start: names found on the agent's own PATH, or absolute paths,
   * matched on the file they resolve to; `['*']` allows all.
   */
  readonly allowedCommands: readonly string[];
  /** Loader variables (LD_PRELOAD, PATH while commands are restricted …) a step may set; `['*']` allows all. */
  readonly allowedLoaderEnv: readonly string[];
  readonly downloadExecEnabled: boolean;
  readonly jsEnabled: boolean;
  /** Where steps that make HTTP requests may connect. */
  readonly httpDestinations: HttpDestinationPolicy;
}

/**
 * Destinations of outbound HTTP (agent policy `http_destinations`), checked on every request and
 * redirect against the host name and the addresses it resolves to. Entries are host names
 * (`api.example.com`, `*.example.com`), IP addresses or CIDR ranges.
 */
export interface HttpDestinationPolicy {
  /** When set, only these destinations are allowed. */
  readonly allow?: readonly string[] | undefined;
  /** Refused even when `allow` matches. */
  readonly deny: readonly string[];
  /** Refuse link-local addresses and cloud metadata endpoints. */
  readonly denyMetadata: boolean;
}

export interface AlertRequest {
  severity: 'info' | 'warning' | 'error' | 'critical';
  title: string;
  message?: string | undefined;
  labels?: Record<string, string> | undefined;
}

/** Capabilities the host (agent or `flotilla run`) gives to steps. */
export interface StepServices {
  readonly policy: StepPolicy;
  raiseAlert(alert: AlertRequest): Promise<void>;
}

export interface StepContext<Config> {
  /** Config after templating and parsing by the step's schema. */
  readonly config: Config;
  /** Aborted on cancel or deadline; steps must stop promptly (kill process groups). */
  readonly signal: AbortSignal;
  readonly log: StepLogger;
  readonly runId: string;
  readonly stepId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Stable per (run, step, attempt): sent as `Idempotency-Key` by non-GET http. */
  readonly idempotencyKey: string;
  /** Extra environment for child processes (secrets travel here, never in argv). */
  readonly env: Readonly<Record<string, string>>;
  readonly services: StepServices;
}

export interface StepOutcome {
  outputs: Record<string, unknown>;
}

/** A step's failure; `retryable` tells the engine whether another attempt can help. */
export class StepError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly outputs: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; outputs?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'StepError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.outputs = options.outputs ?? {};
  }
}

/**
 * A step type: a config schema, an effect class, and `run`. Adding a type is one file plus
 * one registry line in `@flotilla/steps`.
 */
export interface StepType<Schema extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly description: string;
  readonly configSchema: Schema;
  effect(config: z.output<Schema>): EffectClass;
  run(ctx: StepContext<z.output<Schema>>): Promise<StepOutcome>;
}

export type StepRegistry = ReadonlyMap<string, StepType>;

/** Helper that keeps the schema's type attached to `run`'s config. */
export function defineStep<Schema extends z.ZodType>(step: StepType<Schema>): StepType<Schema> {
  return step;
}
