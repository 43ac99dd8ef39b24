import { FlotillaError, ProblemSchema, type ErrorCode, type HttpMethod } from '@flotilla/protocol';
import { FlotillaClientError } from './client-error.js';

export interface HttpClientOptions {
  /** Base URL of the control plane, e.g. `http://127.0.0.1:7700`. */
  baseUrl: string;
  /** Bearer token (session or API token). */
  token?: string | undefined;
  /** Per-request timeout (streams have none). @default 30000 */
  timeoutMs?: number | undefined;
  /**
   * Extra headers per request, e.g. in a browser, where the session cookie authenticates: the
   * CSRF token that unsafe requests echo (`x-csrf-token`) and the chosen project (`x-flotilla-project`).
   */
  requestHeaders?: ((method: HttpMethod) => Record<string, string>) | undefined;
}

/** A query parameter's value; `undefined` leaves it out. */
export type QueryValue = string | number | boolean | undefined;

/** One HTTP request to the control plane. */
export interface HttpRequest {
  /** @default 'GET' */
  method?: HttpMethod;
  /** The URL path (`/api/v1/jobs/job_1`), its parameters already filled in. */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Readonly<Record<string, QueryValue>> | undefined;
  /** Sent as JSON when defined. */
  body?: unknown;
  /** @default 'application/json' */
  accept?: string;
  /** A long-lived stream: no timeout, `signal` ends it. @default false */
  stream?: boolean;
  signal?: AbortSignal | undefined;
}

/**
 * The transport under the typed client: `fetch` with the bearer token and a timeout. A request
 * that gets no answer (the control plane cannot be reached, or does not answer in time) throws a
 * `FlotillaClientError`; what an answer means is the caller's (see `callRoute`), including
 * problem details (`responseError`).
 */
export class HttpClient {
  readonly baseUrl: string;
  token: string | undefined;
  private readonly timeoutMs: number;
  private readonly requestHeaders: ((method: HttpMethod) => Record<string, string>) | undefined;

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.requestHeaders = options.requestHeaders;
  }

  /** Sends `request`; resolves with the response whatever its status. */
  async fetch(request: HttpRequest): Promise<Response> {
    const method = request.method ?? 'GET';
    const headers: Record<string, string> = {
      ...this.requestHeaders?.(method),
      accept: request.accept ?? 'application/json',
    };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = request.stream === true ? undefined : AbortSignal.timeout(this.timeoutMs);
    const signals = [timeout, request.signal].filter((s): s is AbortSignal => s !== undefined);
    try {
      return await fetch(this.url(request.path, request.query), {
        method,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        signal: signals.length === 0 ? null : AbortSignal.any(signals),
      });
    } catch (err) {
      if (request.signal?.aborted === true) throw err;
      throw unreachable(this.baseUrl, err, request.stream === true ? undefined : this.timeoutMs);
    }
  }

  private url(path: string, query: Readonly<Record<string, QueryValue>> = {}): URL {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
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
function unreachable(baseUrl: string, err: unknown, timeoutMs: number | undefined): FlotillaClientError {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new FlotillaClientError(
      'timeout',
      `the control plane at ${baseUrl} did not answer within ${String(timeoutMs)} ms`,
      { cause: err },
    );
  }
  return new FlotillaClientError('unreachable', `cannot reach the control plane at ${baseUrl}: ${describe(err)}`, {
    cause: err,
  });
}

/** Parses JSON text; `undefined` when it is not JSON. */
export function safeJson(text: string): unknown {
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
