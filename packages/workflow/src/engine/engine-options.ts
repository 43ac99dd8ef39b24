import type { WorkflowResolver } from '../calls/call-resolver.js';
import type { StepRegistry, StepServices } from '../step-type.js';
import type { Journal } from '../journal/journal.js';
import type { EngineEvent } from './engine-events.js';

/** Time, injected so the engine stays pure and tests can drive it (STYLE rule 6). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Everything the engine needs from its host (the agent, or `flotilla run`). */
export interface EngineOptions {
  /** Step types by name (`createStepRegistry()` from `@flotilla/steps`). */
  registry: StepRegistry;
  clock: Clock;
  /** Where runs are journaled; the engine awaits each append before acting on it. */
  journal: Journal;
  /** Policy and host capabilities handed to every step. */
  services: StepServices;
  /** Live events (run/step lifecycle and masked log lines). Must not throw. @default ignore */
  onEvent?: ((event: EngineEvent) => void) | undefined;
  /**
   * The workflow a `type: workflow` step calls (`caller`: the workflow the step is in). Hosts
   * resolve calls before the run (`resolveWorkflowCalls`, `createCallResolver`). @default none: such steps fail
   */
  resolveWorkflow?: WorkflowResolver | undefined;
  /**
   * Reads a job file that a probe document's `embedded` step names (its `path` as written).
   * @default none: such steps fail, saying this host reads no job files
   */
  readJobFile?: ((path: string) => Promise<string>) | undefined;
  /** How long an aborted step may take to stop before the engine stops waiting for it. @default 5000 */
  abortGraceMs?: number | undefined;
  /** Compact the run's journal once the run has finished (journals longer than 8 records). @default true */
  compactOnFinish?: boolean | undefined;
}

export interface CompiledEngineOptions {
  registry: StepRegistry;
  clock: Clock;
  journal: Journal;
  services: StepServices;
  onEvent: (event: EngineEvent) => void;
  resolveWorkflow: WorkflowResolver | undefined;
  readJobFile: ((path: string) => Promise<string>) | undefined;
  abortGraceMs: number;
  compactOnFinish: boolean;
}

/** Fills the defaults of `EngineOptions` (STYLE rule 7). */
export function compileEngineOptions(options: EngineOptions): CompiledEngineOptions {
  const abortGraceMs = options.abortGraceMs ?? 5000;
  if (!Number.isFinite(abortGraceMs) || abortGraceMs < 0)
    throw new RangeError('abortGraceMs must be a non-negative number');
  return {
    registry: options.registry,
    clock: options.clock,
    journal: options.journal,
    services: options.services,
    onEvent: options.onEvent ?? (() => undefined),
    resolveWorkflow: options.resolveWorkflow,
    readJobFile: options.readJobFile,
    abortGraceMs,
    compactOnFinish: options.compactOnFinish ?? true,
  };
}
