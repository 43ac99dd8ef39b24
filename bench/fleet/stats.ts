/** Small statistics and table helpers for the fleet benchmark. */

/** The q-quantile (nearest rank) of unsorted samples. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => quantile(samples, 0.5);

/** `1.23 ms`, `456 ms`, `2.10 s`. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value.toFixed(0)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

/** `12,345`. */
export const num = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';

/** One line of the result table. */
export interface ResultRow {
  what: string;
  result: string;
  target: string;
  /** `ok`, `MISSED`, `SKIPPED`, or a ratio such as `63× Ansible`. */
  verdict: string;
}

export function renderRows(rows: readonly ResultRow[]): string {
  const headers = ['MEASUREMENT', 'RESULT', 'TARGET (SPEC §13)', 'VERDICT'];
  const cells = rows.map((r) => [r.what, r.result, r.target, r.verdict]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Time since `start` (a `performance.now()` value) in milliseconds. */
export const since = (start: number): number => performance.now() - start;

export const sleep = (msec: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, msec));

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
  everyMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} not reached within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}
