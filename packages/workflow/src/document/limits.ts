import type { DocumentPath } from './source-map.js';

/**
 * Bounds every workflow document must stay within, wherever it is validated (server, CLI,
 * agent, editor), so that parsing and checking one document costs bounded time and stack.
 * Measured on a loaded 2-core machine: a document at these limits validates in 0.2–1.5 s;
 * without them 600 KB of `[` took 2.5–8 s and overflowed the parser's stack.
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

/**
 * The path of the first value nested deeper than `maxDepth` collections, or undefined. Walks
 * with an explicit stack: the value may come from an untrusted source and be deeper than the
 * call stack allows (the point of the check).
 */
export function findTooDeep(value: unknown, maxDepth: number): DocumentPath | undefined {
  const pending: { value: unknown; path: DocumentPath }[] = [{ value, path: [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.path.length >= maxDepth) return next.path;
    const entries: [string | number, unknown][] = Array.isArray(next.value)
      ? next.value.map((item, i) => [i, item])
      : Object.entries(next.value);
    for (const [key, child] of entries) pending.push({ value: child, path: [...next.path, key] });
  }
  return undefined;
}

/** Why inputs are over `INPUT_LIMITS`, or undefined when they are within them. */
export function inputLimitProblem(inputs: Record<string, unknown>): { path: string; message: string } | undefined {
  const deep = findTooDeep(inputs, INPUT_LIMITS.maxDepth);
  if (deep !== undefined) {
    return {
      path: ['inputs', ...deep.slice(0, 3)].join('.'),
      message: `inputs are nested more than ${INPUT_LIMITS.maxDepth} levels deep`,
    };
  }
  // safe now: the depth is bounded, so serialising cannot overflow the stack
  const chars = JSON.stringify(inputs).length;
  if (chars > INPUT_LIMITS.maxChars) {
    return { path: 'inputs', message: `inputs are ${chars} characters as JSON; at most ${INPUT_LIMITS.maxChars} are allowed` };
  }
  return undefined;
}
