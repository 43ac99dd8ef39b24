import type { JobState, RunStepState } from '@flotilla/protocol';

/** The Element Plus tag type of a job, run or step state: green done, red failed, blue busy, grey waiting. */
export type StateTone = 'success' | 'danger' | 'primary' | 'warning' | 'info';

const TONES: Record<JobState | RunStepState, StateTone> = {
  queued: 'info',
  dispatched: 'primary',
  running: 'primary',
  unknown: 'warning',
  succeeded: 'success',
  failed: 'danger',
  timed_out: 'danger',
  interrupted: 'danger',
  cancelled: 'warning',
  expired: 'info',
  skipped: 'info',
};

export function stateTone(state: JobState | RunStepState | 'pending'): StateTone {
  return state === 'pending' ? 'info' : TONES[state];
}

/** Run states that ended without success: what "re-run on failed agents only" runs again. */
export const UNSUCCESSFUL_STATES: ReadonlySet<JobState> = new Set([
  'failed',
  'timed_out',
  'interrupted',
  'cancelled',
  'expired',
]);

/** `timed_out` → `timed out`. */
export function stateLabel(state: string): string {
  return state.replace(/_/g, ' ');
}

/** How long from `from` to `to` (or now), as `1h 2m`, `3m 4s`, `5.2s`; `—` without a start. */
export function formatDuration(
  from: string | null | undefined,
  to: string | null | undefined,
  now = Date.now(),
): string {
  if (from == null) return '—';
  const ms = (to == null ? now : Date.parse(to)) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}
