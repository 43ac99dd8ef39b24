import type { DocumentPath } from './source-map.js';

/**
 * Bounds every workflow document must stay within, wherever it is validated (server, CLI,
 * agent, editor), so that parsing and checking one document costs bounded time and stack.
 * Measured on a loaded 2-core machine (docs/performance.md, "Workflow validation"): a document
 * at these limits takes 1–3 s of CPU at most (the server validates large ones in a worker
 * thread); without them 600 KB of `[` took 2–8 s and then overflowed the YAML composer's stack.
 */
export const WORKFLOW_LIMITS = {
  /** Characters (UTF-16 code units) of the document text: 1 MiB. */
  maxChars: 1024 * 1024,
  /** Mappings and lists nested in one another, the document itself counting as one. */
  maxDepth: 64,
  /** Every step counts: tasks, `finally`, children of control steps and rollback steps. */
  maxSteps: 2000,
} as const;

/**
 * Bounds of the inputs given to one run (`POST /jobs {inputs}`): inputs are parameters, not a
 * data channel, and they are stored with the job and copied into every run's signed envelope.
 */
export const INPUT_LIMITS = {
  /** Characters of the inputs as JSON: 256 KiB. */
  maxChars: 256 * 1024,
  /** Objects and arrays nested in one another, the inputs object itself counting as one. */
  maxDepth: 64,
} as const;

/** The validation codes of a document over one of `WORKFLOW_LIMITS`. */
export const LIMIT_CODES = ['DOCUMENT_TOO_LARGE', 'DOCUMENT_TOO_DEEP', 'TOO_MANY_STEPS'] as const;
export type LimitCode = (typeof LIMIT_CODES)[number];

/** Whether a validation code says the document is over a limit (rather than wrong). */
export function isLimitCode(code: string): code is LimitCode {
  return (LIMIT_CODES as readonly string[]).includes(code);
}

interface Visit {
  value: unknown;
  /** 0 for the root. */
  depth: number;
  key: string | number;
  parent: Visit | undefined;
}

function pathOf(visit: Visit): DocumentPath {
  const path: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.parent !== undefined; at = at.parent) path.unshift(at.key);
  return path;
}

/** Characters a primitive takes as JSON, never more than `JSON.stringify` would write. */
function primitiveChars(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return value === null ? 4 : 0;
}

/**
 * Walks a value (a parsed document, a job's inputs) and stops at the first node past a bound:
 * nested deeper than `maxDepth` collections, or more than `maxChars` characters as JSON. The
 * count is a lower bound of the JSON length (escapes are not counted), so a walk over a huge
 * value ends after about `maxChars` nodes. Iterative with an explicit stack: the value may be
 * deeper than the call stack allows, which is the point of the check.
 */
export function findOverBound(
  value: unknown,
  bounds: { maxDepth: number; maxChars?: number | undefined },
): { kind: 'too-deep'; path: DocumentPath } | { kind: 'too-large' } | undefined {
  const maxChars = bounds.maxChars ?? Infinity;
  let chars = 0;
  const pending: Visit[] = [{ value, depth: 0, key: '', parent: undefined }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const node = visit.value;
    if (typeof node !== 'object' || node === null) {
      chars += primitiveChars(node);
    } else {
      if (visit.depth >= bounds.maxDepth) return { kind: 'too-deep', path: pathOf(visit) };
      // JSON.stringify leaves out members whose value is undefined
      const entries: [string | number, unknown][] = Array.isArray(node)
        ? node.map((item, i) => [i, item])
        : Object.entries(node).filter(([, child]) => child !== undefined);
      // brackets, commas, and for a mapping each key's quotes and colon
      chars += 1 + Math.max(1, entries.length);
      for (const [key, child] of entries) {
        if (typeof key === 'string') chars += key.length + 3;
        pending.push({ value: child, depth: visit.depth + 1, key, parent: visit });
      }
    }
    if (chars > maxChars) return { kind: 'too-large' };
  }
  return undefined;
}

/** Why inputs are over `INPUT_LIMITS`, or undefined when they are within them. */
export function inputLimitProblem(inputs: Record<string, unknown>): { path: string; message: string } | undefined {
  const over = findOverBound(inputs, INPUT_LIMITS);
  if (over?.kind === 'too-deep') {
    return {
      path: ['inputs', ...over.path.slice(0, 3)].join('.'),
      message: `inputs are nested more than ${INPUT_LIMITS.maxDepth} levels deep`,
    };
  }
  // within the depth bound now, so serialising cannot overflow the stack
  if (over?.kind === 'too-large' || JSON.stringify(inputs).length > INPUT_LIMITS.maxChars) {
    return { path: 'inputs', message: `inputs are over ${INPUT_LIMITS.maxChars} characters as JSON` };
  }
  return undefined;
}
