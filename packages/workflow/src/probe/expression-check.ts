import type { ProblemCollector } from '../document/problems.js';
import type { DocumentPath, SourceMap } from '../document/source-map.js';
import { locateInString } from '../document/string-positions.js';
import { isMap } from './actions/values.js';
import { compileProbeExpression, ProbeExpressionError, probeTemplateParts } from './expression/index.js';

/**
 * The names an expression may read where it is written (probe's "expression context"):
 * `any` for the top-level `vars`, which read the environment by bare name.
 */
export type ProbeNames = 'any' | ReadonlySet<string>;

/** Names known before a step's action runs: its name, `with`, `vars`, `skipif`. */
export const BEFORE_ACTION: ReadonlySet<string> = new Set(['vars', 'outputs', 'repeat_index']);
/** Names known after it: `test`, `echo`, `outputs`. */
export const AFTER_ACTION: ReadonlySet<string> = new Set([...BEFORE_ACTION, 'res', 'req', 'rt', 'status']);
/** Names a job's `name` and `skipif` read. */
export const JOB_NAMES: ReadonlySet<string> = new Set(['vars', 'outputs']);

/**
 * Where offset `offset` of a string value is in the text. A literal block scalar (`test: |`)
 * keeps its lines, less their indentation, so an offset maps to a line and column exactly;
 * other scalars are searched for the piece of text (`locateInString`).
 */
function locator(
  source: SourceMap,
  path: DocumentPath,
  value: string,
): (start: number, end: number, inner?: number) => { line: number; column: number } {
  const raw = source.rawScalar(path);
  const fallback = locateInString(source, path, value);
  if (raw === undefined || !/^\|[-+0-9]*[ \t]*(?:#.*)?\n/.test(raw.text)) return fallback;
  const lines = raw.text.split('\n');
  const indent = /^[ ]*/.exec(lines.slice(1).find((line) => line.trim() !== '') ?? '')?.[0].length ?? 0;
  const start = source.position(raw.offset);
  return (from, _end, inner = 0) => {
    const at = Math.min(value.trimEnd().length, from + inner);
    const before = value.slice(0, at).split('\n');
    const line = before.length;
    const column = (before[before.length - 1] ?? '').length;
    if (line >= lines.length) return fallback(from, _end, inner);
    return { line: start.line + line, column: indent + column + 1 };
  };
}

interface Place {
  path: DocumentPath;
  step?: string | undefined;
  names: ProbeNames;
}

/**
 * Checks probe expressions (`test: res.code == 200`) and `{{ }}` templates in place: syntax
 * errors are problems at their line and column; a name outside the context is a warning (probe
 * reads an unknown name as nil, so the document still runs, but it is usually a typo).
 */
export class ProbeExpressionChecker {
  constructor(
    private readonly source: SourceMap,
    private readonly problems: ProblemCollector,
  ) {}

  /** A bare expression (`test`, `skipif`, an output). */
  expression(text: string, place: Place): void {
    const locate = locator(this.source, place.path, text);
    this.compile(text, place, (offset) => locate(0, text.length, offset));
  }

  /** A string that may hold `{{ expr }}` parts. */
  template(text: string, place: Place): void {
    if (!text.includes('{{')) return;
    const locate = locator(this.source, place.path, text);
    let parts: ReturnType<typeof probeTemplateParts>;
    try {
      parts = probeTemplateParts(text);
    } catch (err) {
      this.syntax(err, place, (offset) => locate(offset, offset + 2));
      return;
    }
    for (const part of parts) {
      this.compile(part.source, place, (offset) => locate(part.offset, part.offset + part.length, offset));
    }
  }

  /** Every string inside a value (mappings and lists walked), as templates. */
  templates(value: unknown, place: Place): void {
    if (typeof value === 'string') this.template(value, place);
    else if (Array.isArray(value))
      value.forEach((item, i) => this.templates(item, { ...place, path: [...place.path, i] }));
    else if (isMap(value)) {
      for (const [key, item] of Object.entries(value)) this.templates(item, { ...place, path: [...place.path, key] });
    }
  }

  private compile(text: string, place: Place, locate: (offset: number) => { line: number; column: number }): void {
    let names: readonly string[];
    try {
      names = compileProbeExpression(text).names;
    } catch (err) {
      this.syntax(err, place, locate);
      return;
    }
    if (place.names === 'any') return;
    const allowed = place.names;
    for (const name of names) {
      if (allowed.has(name)) continue;
      this.problems.warning({
        code: 'UNKNOWN_NAME',
        path: place.path,
        at: locate(Math.max(0, text.indexOf(name))),
        step: place.step,
        message: `"${name}" is not known here (probe reads it as nil); known: ${[...allowed].join(', ')}`,
      });
    }
  }

  private syntax(err: unknown, place: Place, locate: (offset: number) => { line: number; column: number }): void {
    if (!(err instanceof ProbeExpressionError)) throw err;
    this.problems.error({
      // at compile time EXPRESSION_FAILED means a call to a function probe does not have
      code:
        err.code === 'EXPRESSION_SYNTAX'
          ? 'EXPRESSION_SYNTAX'
          : err.code === 'EXPRESSION_FAILED'
            ? 'UNKNOWN_NAME'
            : 'INVALID_VALUE',
      path: place.path,
      at: locate(err.offset ?? 0),
      step: place.step,
      message: err.message,
    });
  }
}
