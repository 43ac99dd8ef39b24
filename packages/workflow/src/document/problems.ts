import type { CompiledWorkflow, SourceLocation } from '../model.js';
import type { DocumentPath, SourceMap } from './source-map.js';

/** Stable codes of validation problems; tests and tools match on these, never on wording. */
export const VALIDATION_CODES = [
  'YAML_SYNTAX',
  'JSON_SYNTAX',
  'DUPLICATE_KEY',
  'UNKNOWN_FIELD',
  'MISSING_FIELD',
  'DUPLICATE_FIELD',
  'MISPLACED_FIELD',
  'INVALID_TYPE',
  'INVALID_VALUE',
  'BAD_DURATION',
  'UNKNOWN_STEP_TYPE',
  'UNKNOWN_CONFIG_FIELD',
  'INVALID_CONFIG',
  'NEEDS_CYCLE',
  'UNKNOWN_STEP_REFERENCE',
  'UNKNOWN_NAME',
  'EXPRESSION_SYNTAX',
  'DUPLICATE_ID',
  'SECRET_IN_ARGS',
  'SECRET_IN_NAME',
  'UNUSED_VARIABLE',
  // resolving the workflows that `type: workflow` steps call (calls/)
  'UNKNOWN_WORKFLOW',
  'AMBIGUOUS_WORKFLOW',
  'WORKFLOW_CYCLE',
  'WORKFLOW_CALL_TOO_DEEP',
  'TOO_MANY_WORKFLOWS',
  'CALL_VERSION_IGNORED',
  // linyows/probe documents (probe/validate-probe.ts)
  'UNKNOWN_ACTION',
  'UNSUPPORTED_ACTION',
  'UNSUPPORTED_FIELD',
  // `flotilla convert`: a probe feature the Flotilla format cannot say with the same meaning
  'CONVERT_UNSUPPORTED',
  // over one of WORKFLOW_LIMITS (limits.ts)
  'DOCUMENT_TOO_LARGE',
  'DOCUMENT_TOO_DEEP',
  'TOO_MANY_STEPS',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** One problem in a workflow document, with the 1-based line and column of the offending node. */
export interface ValidationProblem {
  line: number;
  column: number;
  /** Id (else name) of the step the problem is in, when it is in a step. */
  step?: string;
  /** Where in the document: `tasks[2].config.url`. */
  path: string;
  code: ValidationCode;
  message: string;
}

/** The outcome of `validateWorkflow`: the compiled workflow, or every problem found. */
export type ValidationResult =
  | { ok: true; workflow: CompiledWorkflow; warnings: ValidationProblem[] }
  | { ok: false; problems: ValidationProblem[]; warnings: ValidationProblem[] };

/** `['tasks', 2, 'config', 'url']` → `tasks[2].config.url`. */
export function formatPath(path: DocumentPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export interface ProblemInput {
  code: ValidationCode;
  path: DocumentPath;
  message: string;
  step?: string | undefined;
  /** Point at the key of the last path segment instead of its value, or at an exact location. */
  at?: 'key' | SourceLocation | undefined;
}

function byPosition(a: ValidationProblem, b: ValidationProblem): number {
  return a.line - b.line || a.column - b.column;
}

/** Collects problems and warnings, placing each at its line and column. */
export class ProblemCollector {
  private readonly errors: ValidationProblem[] = [];
  private readonly warns: ValidationProblem[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly source: SourceMap) {}

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }

  error(input: ProblemInput): void {
    this.add(this.errors, input);
  }

  warning(input: ProblemInput): void {
    this.add(this.warns, input);
  }

  /** Problems sorted by position. */
  problems(): ValidationProblem[] {
    return [...this.errors].sort(byPosition);
  }

  warnings(): ValidationProblem[] {
    return [...this.warns].sort(byPosition);
  }

  private add(into: ValidationProblem[], input: ProblemInput): void {
    const location =
      input.at === 'key'
        ? this.source.locateKey(input.path)
        : input.at !== undefined
          ? input.at
          : this.source.locate(input.path);
    const problem: ValidationProblem = {
      line: location.line,
      column: location.column,
      ...(input.step === undefined ? {} : { step: input.step }),
      path: formatPath(input.path),
      code: input.code,
      message: input.message,
    };
    // the same mistake reached through two rules (or a YAML alias) is reported once
    const key = `${problem.code}|${problem.line}|${problem.column}|${problem.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    into.push(problem);
  }
}
