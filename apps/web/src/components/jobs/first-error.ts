import type { RunDetail } from '@flotilla/protocol';
import type { LogEntry } from '../../composables/useLogBuffer';
import { inStep } from './run-selection';

/**
 * The line "first error" jumps to, among `lines` (in order): within the first step that failed
 * (the earliest failed step of any run), its first stderr line, else its last line (where a
 * failing command usually says why); without a failed step that printed anything, the first
 * stderr line. `undefined`: none of these.
 */
export function firstErrorSeq(lines: readonly LogEntry[], runs: readonly RunDetail[]): number | undefined {
  const failed = runs
    .flatMap((run) =>
      run.steps
        .filter((s) => s.status === 'failed' || s.status === 'timed_out')
        .map((s) => ({ runId: run.id, step: s.step, at: s.finishedAt ?? s.startedAt ?? '' })),
    )
    .sort((a, b) => a.at.localeCompare(b.at));
  for (const step of failed) {
    const own = lines.filter((l) => l.runId === step.runId && inStep(l.step, step.step));
    const stderr = own.find((l) => l.stream === 'stderr');
    const chosen = stderr ?? own.at(-1);
    if (chosen !== undefined) return chosen.seq;
  }
  return lines.find((l) => l.stream === 'stderr')?.seq;
}
