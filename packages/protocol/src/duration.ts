import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses a duration such as `500ms`, `10s`, `5m`, `1h`, `2d` or compound `1h30m` into
 * milliseconds. Returns `undefined` when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  const parts = trimmed.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d)/g);
  if (parts === null || parts.join('') !== trimmed) return undefined;
  for (const part of parts) {
    const m = DURATION_RE.exec(part);
    if (m === null) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}

/** The longest duration accepted (100 years): a deadline `now + duration` stays a valid date. */
export const MAX_DURATION_MS = 36_500 * UNIT_MS.d;

/** A duration given as text (`30s`) or as a number of seconds; parses to milliseconds. */
export const DurationSchema = z.union([z.string().max(100), z.number().nonnegative()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? Math.round(value * 1000) : parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${String(value)}" is not a duration (examples: 500ms, 10s, 5m, 1h30m, 2d)`,
    });
    return z.NEVER;
  }
  if (ms > MAX_DURATION_MS) {
    ctx.addIssue({ code: 'custom', message: 'durations are at most 100 years (36500d)' });
    return z.NEVER;
  }
  return ms;
});
