import type { AnyRouteContract } from '@flotilla/protocol';
import { checkResponse, contractFor } from './fuzz-checks.js';
import type { FuzzResponse, Violation } from './fuzz-checks.js';
import type { FuzzRequest } from './fuzz-requests.js';

/** What a fuzz run did: its figures and what broke the rules. */
export interface FuzzReport {
  requests: number;
  /** Responses per status class (`2xx`…`5xx`, `none` for a connection that gave no answer). */
  byClass: Record<string, number>;
  violations: Violation[];
  ms: number;
  /** Time spent per operation (`GET /api/v1/jobs`), to see where a slow run goes. */
  msByOperation: Record<string, number>;
}

export interface FuzzRunOptions {
  baseUrl: string;
  token: string;
  /** The route contracts the document was generated from: what each answer is held to. */
  contracts: readonly AnyRouteContract[];
  /** Per request; a server that does not answer in time is a finding too. */
  timeoutMs: number;
  /** Requests of one operation in flight at once. */
  concurrency: number;
}

const JSON_TYPES = ['application/json', 'application/problem+json'];

async function send(request: FuzzRequest, options: FuzzRunOptions): Promise<FuzzResponse | string> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (request.contentType !== undefined) headers['content-type'] = request.contentType;
  try {
    const res = await fetch(`${options.baseUrl}${request.url}`, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const contentType = res.headers.get('content-type') ?? '';
    if (JSON_TYPES.some((t) => contentType.startsWith(t)) || contentType === '')
      return { status: res.status, contentType, text: await res.text() };
    // Streams (server-sent events, git packs) are not read: status and media type are checked.
    await res.body?.cancel();
    return { status: res.status, contentType, text: undefined };
  } catch (err) {
    return `no response: ${(err as Error).message}`;
  }
}

/**
 * Sends the requests over loopback HTTP and checks each answer. Operations follow one another in
 * the given order (so destructive ones can come last); the requests of one operation go
 * `concurrency` at a time, which keeps the database busy while the client waits.
 */
export async function runFuzz(requests: readonly FuzzRequest[], options: FuzzRunOptions): Promise<FuzzReport> {
  const started = Date.now();
  const report: FuzzReport = { requests: 0, byClass: {}, violations: [], ms: 0, msByOperation: {} };
  const groups: FuzzRequest[][] = [];
  for (const request of requests) {
    const last = groups.at(-1);
    if (last?.[0]?.operation === request.operation) last.push(request);
    else groups.push([request]);
  }
  for (const group of groups) {
    const operation = `${group[0]?.method ?? ''} ${group[0]?.operation.path ?? ''}`;
    const groupStarted = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < group.length) {
        const request = group[next++];
        if (request !== undefined) await fuzzOne(request, options, report);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    report.msByOperation[operation] = Date.now() - groupStarted;
  }
  report.ms = Date.now() - started;
  return report;
}

async function fuzzOne(request: FuzzRequest, options: FuzzRunOptions, report: FuzzReport): Promise<void> {
  report.requests++;
  const name = `${request.method} ${request.operation.path} [${request.mutation}]`;
  const response = await send(request, options);
  const found =
    typeof response === 'string'
      ? [{ status: 0, rule: 'every request is answered', detail: response }]
      : checkResponse(request, response, contractFor(options.contracts, request.method, request.operation.path));
  const cls = typeof response === 'string' ? 'none' : `${Math.floor(response.status / 100)}xx`;
  report.byClass[cls] = (report.byClass[cls] ?? 0) + 1;
  for (const violation of found) report.violations.push({ request: name, ...violation });
}
