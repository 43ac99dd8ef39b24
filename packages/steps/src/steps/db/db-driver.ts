import type { StepLogger } from '@flotilla/workflow';

/** One query, as the `db` step hands it to a driver. */
export interface QueryRequest {
  query: string;
  /** Positional parameters (`$1` for postgres, `?` for mysql and sqlite). */
  params: readonly unknown[];
  /** Rows beyond this are dropped and `truncated` is set. */
  maxRows: number;
  /** Connect timeout, ms. */
  connectTimeoutMs: number;
  /** Aborted on cancel, step deadline or the query `timeout`: the driver stops the query and closes. */
  signal: AbortSignal;
  log: StepLogger;
}

/** What a query produced; values are already JSON-safe (see `toJsonValue`). */
export interface QueryResult {
  rows: Record<string, unknown>[];
  columns: string[];
  rowsAffected: number;
  truncated: boolean;
}

/**
 * Makes a database value safe for step outputs (which are journaled as JSON): dates become ISO
 * strings, bytes become base64, bigints become strings (no precision is lost), nested JSON
 * values are kept.
 */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(item);
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** A row object whose values went through {@link toJsonValue}. */
export function toJsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = toJsonValue(value);
  return out;
}

/**
 * Runs `onAbort` once if `signal` aborts before `work` settles, and always detaches afterwards.
 * Drivers use it to cancel a running query and tear the connection down.
 */
export async function withAbort<T>(signal: AbortSignal, onAbort: () => void, work: () => Promise<T>): Promise<T> {
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await work();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
