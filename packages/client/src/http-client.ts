import { FlotillaError, ProblemSchema, type ErrorCode } from '@flotilla/protocol';
import type { z } from 'zod';
import { FlotillaClientError } from './client-error.js';

export interface HttpClientOptions {
  /** Base URL of the control plane, e.g. `http://127.0.0.1:7700`. */
  baseUrl: string;
  /** Bearer token (session or API token). */
  token?: string | undefined;
  /** Per-request timeout. @default 30000 */
  timeoutMs?: number | undefined;
}

export interface RequestOptions<T extends z.ZodType> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Schema the response is parsed with; omit for empty responses. */
  schema?: T;
}

/**
 * Minimal typed transport over `fetch`: JSON in, Zod-parsed JSON out, problem details turned
 * into `FlotillaError`s carrying the server's stable code. When there is no such answer (the
 * server cannot be reached, a timeout, a body that is not the route's) it throws a
 * `FlotillaClientError` instead.
 */
export class HttpClient {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async request<T extends z.ZodType>(options: RequestOptions<T>): Promise<z.output<T>> {
    const url = this.url(options.path, options.query);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw unreachable(this.baseUrl, err, this.timeoutMs);
    }
    const text = await response.text();
    const json: unknown = text === '' ? undefined : safeJson(text);
    if (!response.ok) throw problemToError(response.status, json);
    return this.parse(options, json);
  }

  /**
   * Opens a long-lived `text/event-stream` response (no per-request timeout; `signal` ends it).
   * Returns the response whatever its status, so the caller can tell "not supported" from failure.
   */
  async openStream(options: {
    path: string;
    query?: Record<string, string | number | undefined>;
    signal?: AbortSignal | undefined;
  }): Promise<Response> {
    const url = this.url(options.path, options.query);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    try {
      return await fetch(url, { headers, signal: options.signal ?? null });
    } catch (err) {
      if (options.signal?.aborted === true) throw err;
      throw unreachable(this.baseUrl, err);
    }
  }

  private url(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private parse<T extends z.ZodType>(options: RequestOptions<T>, json: unknown): z.output<T> {
    if (options.schema === undefined) return undefined as z.output<T>;
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      throw new FlotillaClientError('invalid-response', `unexpected response from ${options.path}: ${parsed.error.message}`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }
}

/** The `FlotillaError` a failed response stands for (problem details when the body has them). */
export async function responseError(response: Response): Promise<FlotillaError> {
  const text = await response.text().catch(() => '');
  return problemToError(response.status, text === '' ? undefined : safeJson(text));
}

function problemToError(status: number, body: unknown): FlotillaError {
  const problem = ProblemSchema.safeParse(body);
  if (problem.success) {
    return new FlotillaError(problem.data.code, { detail: problem.data.detail, errors: problem.data.errors });
  }
  const code: ErrorCode = status === 401 ? 'UNAUTHENTICATED' : status === 404 ? 'NOT_FOUND' : 'INTERNAL';
  return new FlotillaError(code, { detail: `HTTP ${status}` });
}

/** The client's error for a request that got no response. */
function unreachable(baseUrl: string, err: unknown, timeoutMs?: number): FlotillaClientError {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new FlotillaClientError('timeout', `the control plane at ${baseUrl} did not answer within ${String(timeoutMs)} ms`, { cause: err });
  }
  return new FlotillaClientError('unreachable', `cannot reach the control plane at ${baseUrl}: ${describe(err)}`, { cause: err });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return err.message + cause;
  }
  return String(err);
}
