import type { ValidationCode, ValidationProblem } from '../document/problems.js';
import type { InputSpec, WorkflowCallSite, WorkflowCallTarget } from '../model.js';

/** Bounds of the workflows a run may call, checked before it starts. */
export const CALL_LIMITS = {
  /** Calls nested in calls: a workflow that calls one that calls one … this many deep. */
  maxDepth: 8,
  /** Distinct documents a run may call, directly or not (the calling document not counted). */
  maxWorkflows: 32,
} as const;
export type CallLimits = { readonly [K in keyof typeof CALL_LIMITS]: number };

/** A problem found while resolving calls, with the document it is in. */
export interface CallProblem extends ValidationProblem {
  /** The document, as its host names it: a file path, or `name@version`. */
  document: string;
}

/** What resolving calls needs of a workflow, whatever host loaded it. */
export interface CallableWorkflow {
  /** Identifies the document among those loaded: an absolute file, or `name@version`. */
  readonly key: string;
  /** Names the document in problems: a file path as the user wrote it, or `name@version`. */
  readonly label: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly calls: readonly WorkflowCallSite[];
}

/**
 * Where a call leads: the key of the document, why there is none, or `unchecked` when this host
 * cannot tell (`flotilla validate` without `--workflows` for a call by name).
 */
export type CallLocation =
  | { kind: 'found'; key: string; warning?: { code: ValidationCode; message: string } | undefined }
  | { kind: 'missing'; code: ValidationCode; message: string }
  | { kind: 'unchecked' };

/** A located document, loaded and validated, or its problems. */
export type CalleeLoad<W> =
  | { ok: true; workflow: W; warnings?: readonly CallProblem[] | undefined }
  | { ok: false; problems: readonly CallProblem[]; warnings?: readonly CallProblem[] | undefined };

/** How one host finds and loads the documents that calls name (files; stored versions; a job envelope). */
export interface CallHost<W extends CallableWorkflow> {
  /** Finds the document a call names; `caller` is the document the call is written in. */
  locate(target: WorkflowCallTarget, caller: W): CallLocation | Promise<CallLocation>;
  /** Reads and validates a located document (once per key). */
  load(key: string): Promise<CalleeLoad<W>>;
}

/** Every workflow a root calls, directly or not, and which call leads where. */
export interface CallGraph<W extends CallableWorkflow> {
  readonly root: W;
  /** By key; the root is not among them (unless it calls itself, which is refused). */
  readonly callees: ReadonlyMap<string, W>;
  /** caller key → `callTargetKey(target)` → callee key. */
  readonly edges: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export type CallResolution<W extends CallableWorkflow> =
  | { ok: true; graph: CallGraph<W>; warnings: CallProblem[] }
  | { ok: false; problems: CallProblem[]; warnings: CallProblem[] };

/** A call target as a map key: the same text for the same callee written the same way. */
export function callTargetKey(target: WorkflowCallTarget): string {
  return target.path !== undefined
    ? `path:${target.path}`
    : `name:${target.name}${target.version === undefined ? '' : `@${target.version}`}`;
}

/** `path ../x.yaml`, `workflow deploy`, `workflow deploy version 3`: how messages name a call's target. */
export function describeCallTarget(target: WorkflowCallTarget): string {
  if (target.path !== undefined) return `file ${target.path}`;
  return `workflow "${target.name}"${target.version === undefined ? '' : ` version ${target.version}`}`;
}
