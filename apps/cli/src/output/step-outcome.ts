import type { StepFailure, StepStatus } from '@flotilla/protocol';
import type { SkipReason } from '@flotilla/workflow';
import type { Palette } from './colour.js';

const MARKS: Record<StepStatus, string> = {
  succeeded: '✓',
  failed: '✗',
  skipped: '–',
  timed_out: '⏱',
  interrupted: '!',
  cancelled: '✗',
};

/** The status mark of a step (`✓`, `✗`, `–`, `⏱`, `!`), coloured by outcome. */
export function statusMark(status: StepStatus, palette: Palette): string {
  const mark = MARKS[status];
  if (status === 'succeeded') return palette.green(mark);
  if (status === 'skipped') return palette.dim(mark);
  return palette.red(mark);
}

/** `⟳ 2/3` when a step took more than one try (`⟳ 2` when the allowed tries are unknown), else ''. */
export function attemptsText(attempts: number, maxAttempts: number | undefined, palette: Palette): string {
  if (attempts <= 1) return '';
  return palette.yellow(maxAttempts === undefined ? `⟳ ${attempts}` : `⟳ ${attempts}/${maxAttempts}`);
}

/** `[CODE] message` of a failed step. */
export function failureText(error: StepFailure): string {
  return `[${error.code}] ${error.message}`;
}

/** `${{ expr }}` as a whole: the condition is shown without the wrapper. */
const WRAPPED = /^\$\{\{([\s\S]*)\}\}$/;

/** Why a step was skipped, for people: `condition false: …`, `build failed`, `run cancelled`. */
export function skipText(reason: SkipReason | undefined, labelOf: (key: string) => string): string {
  if (reason === undefined) return 'skipped';
  const step = reason.step === undefined ? undefined : labelOf(reason.step);
  switch (reason.code) {
    case 'CONDITION_FALSE':
      return reason.condition === undefined
        ? 'skipped: condition false'
        : `skipped: condition false (${reason.condition.trim().replace(WRAPPED, '$1').trim()})`;
    case 'DEPENDENCY_FAILED':
      return step === undefined ? 'skipped: a step it needs failed' : `skipped: ${step} failed`;
    case 'RUN_STOPPED':
      return step === undefined ? 'skipped: the run stopped' : `skipped: the run stopped after ${step} failed`;
    case 'RUN_CANCELLED':
      return 'skipped: the run was cancelled';
    case 'RUN_TIMED_OUT':
      return 'skipped: the run timed out';
  }
}
