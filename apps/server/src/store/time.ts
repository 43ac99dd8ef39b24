/** Current time as RFC 3339 UTC with milliseconds; fixed width, so text order is time order. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Normalises a timestamp from outside (an agent clock) to RFC 3339 UTC, or `fallback` when unparseable. */
export function toIso(text: string, fallback: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

/** `now + ms` as RFC 3339 UTC. */
export function isoAfter(ms: number, from = Date.now()): string {
  return new Date(from + ms).toISOString();
}
