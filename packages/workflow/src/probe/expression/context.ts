import { overLimit } from './errors.js';
import { PROBE_EXPRESSION_LIMITS } from './limits.js';

/** What the host gives an evaluation besides the environment. */
export interface ProbeEvaluateOptions {
  /**
   * Milliseconds since the Unix epoch, for `unixtime()`. The runner passes its engine clock so
   * that runs stay reproducible. @default the system clock
   */
  now?: (() => number) | undefined;
  /** A number in [0, 1), for `random_int` and `random_str`. @default Math.random */
  random?: (() => number) | undefined;
}

/** One evaluation's state: the environment, the host's clock and randomness, the step budget. */
export interface EvaluationContext {
  readonly env: Readonly<Record<string, unknown>>;
  readonly now: () => number;
  readonly random: () => number;
  /** How many `template()` calls this evaluation is inside. */
  readonly templateDepth: number;
  readonly budget: Budget;
  /** Renders `{{ }}` templates in `text` as a string (for `template()`), against `ctx`. */
  readonly renderTemplate: (text: string, ctx: EvaluationContext) => string;
}

/** Counts the work of one evaluation (nested `template()` calls share it). */
export class Budget {
  private steps = 0;

  /** Spends `n` steps; past PROBE_EXPRESSION_LIMITS.steps the evaluation stops. */
  spend(n: number, offset?: number): void {
    this.steps += n;
    if (this.steps > PROBE_EXPRESSION_LIMITS.steps)
      throw overLimit(`the expression took more than ${PROBE_EXPRESSION_LIMITS.steps} steps`, offset);
  }
}

/** Refuses a string longer than the limit (before it is built where its length is known). */
export function checkStringLength(length: number, offset?: number): void {
  if (length > PROBE_EXPRESSION_LIMITS.stringLength)
    throw overLimit(`a string of ${length} characters is longer than ${PROBE_EXPRESSION_LIMITS.stringLength}`, offset);
}

/** Refuses an array or map larger than the limit. */
export function checkCollectionSize(size: number, offset?: number): void {
  if (size > PROBE_EXPRESSION_LIMITS.collectionSize)
    throw overLimit(`a collection of ${size} items is larger than ${PROBE_EXPRESSION_LIMITS.collectionSize}`, offset);
}

// The defaults serve callers outside a run (tests, the studio's preview); the runner injects the
// engine's clock and randomness (STYLE rule 6).
// eslint-disable-next-line no-restricted-globals -- the documented default clock, see above
const systemNow = (): number => Date.now();

export function createContext(
  env: Readonly<Record<string, unknown>>,
  options: ProbeEvaluateOptions | undefined,
  renderTemplate: EvaluationContext['renderTemplate'],
): EvaluationContext {
  return {
    env,
    now: options?.now ?? systemNow,
    random: options?.random ?? Math.random,
    templateDepth: 0,
    budget: new Budget(),
    renderTemplate,
  };
}
