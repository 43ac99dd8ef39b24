import type { Agent, Dispatcher, Response } from 'undici';
import { StepError } from '@flotilla/workflow';
import type { HttpDestinationPolicy } from '@flotilla/workflow';
import { destinationGuard } from './destination-guard.js';
import { guardedLookup } from './guarded-lookup.js';
import { MAX_REDIRECTS, REDIRECT_STATUSES, redirectedRequest } from './redirect.js';
import type { HopRequest } from './redirect.js';

/** An HTTP request from a step; see {@link outboundFetch}. */
export interface OutboundFetchOptions {
  readonly method: string;
  /** Request headers; names in any case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /** Follow 301, 302, 303, 307 and 308 (at most 20); otherwise the 3xx answer is the result. */
  readonly followRedirects: boolean;
  readonly signal: AbortSignal;
  /** The agent policy's `http_destinations`, checked on every hop. */
  readonly destinations: HttpDestinationPolicy;
  /** Values that must not go to another origin on a redirect: the run's secrets. */
  readonly secrets: readonly string[];
  /** Accept any TLS certificate. @default false */
  readonly insecureSkipVerify?: boolean | undefined;
}

/** The final answer; `close()` releases the connections once the body is read or dropped. */
export interface OutboundResponse {
  readonly response: Response;
  /** Where the answer came from (after redirects). */
  readonly url: URL;
  readonly close: () => Promise<void>;
}

let insecureAgent: Agent | undefined;

/**
 * Sends a request and follows its redirects itself (fetch's would pass on every header but
 * Authorization to another origin): each hop is checked against the destination policy — the
 * host name before the request, each resolved address when connecting — and a hop to another
 * origin carries only harmless headers and no secret (see `redirectedRequest`).
 *
 * Rejects with the `POLICY_DENIED` or `STEP_FAILED` StepError of a refused hop, else with
 * fetch's own error (the caller names network failures).
 */
export async function outboundFetch(url: URL, options: OutboundFetchOptions): Promise<OutboundResponse> {
  // undici loads on first use: an agent that never makes a request does not carry it (memory).
  const { Agent, Headers, fetch } = await import('undici');
  const guard = destinationGuard(options.destinations);
  const connect = options.insecureSkipVerify === true ? { rejectUnauthorized: false } : {};
  // A guarded dispatcher is the step's own, so no pooled connection skips the address check.
  let dispatcher: Dispatcher | undefined;
  let owned: Agent | undefined;
  if (guard !== undefined) {
    owned = new Agent({ connect: { ...connect, lookup: guardedLookup(guard) } });
    dispatcher = owned;
  } else if (options.insecureSkipVerify === true) {
    insecureAgent ??= new Agent({ connect });
    dispatcher = insecureAgent;
  }
  const close = async (): Promise<void> => {
    await owned?.destroy();
  };

  const lower = Object.fromEntries(Object.entries(options.headers).map(([name, value]) => [name.toLowerCase(), value]));
  let request: HopRequest = { url, method: options.method, headers: lower, body: options.body };
  try {
    for (let redirects = 0; ; redirects++) {
      guard?.checkUrl(request.url);
      const response = await fetch(request.url, {
        method: request.method,
        headers: new Headers(request.headers),
        body: request.body,
        redirect: 'manual',
        signal: options.signal,
        ...(dispatcher === undefined ? {} : { dispatcher }),
      });
      const location = response.headers.get('location');
      if (!options.followRedirects || !REDIRECT_STATUSES.has(response.status) || location === null) {
        return { response, url: request.url, close };
      }
      await response.body?.cancel().catch(() => undefined);
      if (redirects === MAX_REDIRECTS) {
        throw new StepError('STEP_FAILED', `more than ${MAX_REDIRECTS} redirects`);
      }
      request = redirectedRequest(request, { status: response.status, location }, options.secrets);
    }
  } catch (err) {
    await close();
    throw stepErrorIn(err) ?? err;
  }
}

/** A StepError raised inside fetch (the guarded lookup's refusal) is fetch's `cause`. */
function stepErrorIn(err: unknown): StepError | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof StepError) return current;
  }
  return undefined;
}
