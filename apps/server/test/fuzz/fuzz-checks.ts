import { isJsonResponse, ProblemSchema } from '@flotilla/protocol';
import type { AnyRouteContract } from '@flotilla/protocol';
import { contractBreaches } from '../../src/http/contract-breaches.js';
import { openApiPath } from '../../src/openapi/build-document.js';
import type { FuzzRequest } from './fuzz-requests.js';

/** A response as the fuzzer saw it. */
export interface FuzzResponse {
  status: number;
  contentType: string;
  /** The body text (JSON responses only; streams are not read). */
  text: string | undefined;
}

/** A request whose response broke a rule: no 5xx, problems for errors, documented bodies. */
export interface Violation {
  request: string;
  status: number;
  rule: string;
  detail: string;
}

/** The contract an operation of the document was built from. */
export function contractFor(
  contracts: readonly AnyRouteContract[],
  method: string,
  documentedPath: string,
): AnyRouteContract | undefined {
  return contracts.find((c) => c.method === method && openApiPath(c) === documentedPath);
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Checks one response against the rules of the fuzz run; returns what it broke (empty when fine).
 * Bodies are held to the route contracts the OpenAPI document is generated from, by the same
 * check the server runs with `checkResponses`.
 */
export function checkResponse(
  request: FuzzRequest,
  response: FuzzResponse,
  contract: AnyRouteContract | undefined,
): Omit<Violation, 'request'>[] {
  const out: Omit<Violation, 'request'>[] = [];
  const fail = (rule: string, detail: string) => out.push({ status: response.status, rule, detail });
  const spec = contract?.responses[response.status];
  // An error status declared with a body of its own (`/readyz` answers 503 with its checks).
  const declaresBody = spec !== undefined && (isJsonResponse(spec) || spec.kind !== 'problem');
  if (response.status >= 500 && !declaresBody) fail('no 5xx', (response.text ?? '').slice(0, 300));
  if (response.status >= 400 && !declaresBody) {
    if (!response.contentType.startsWith('application/problem+json'))
      fail(
        'errors are problem documents',
        `content-type ${response.contentType}: ${(response.text ?? '').slice(0, 200)}`,
      );
    const json = parseJson(response.text);
    const problem = json.ok ? ProblemSchema.safeParse(json.value) : undefined;
    if (problem === undefined || !problem.success)
      fail('errors are problem documents', `not a problem with a code: ${(response.text ?? '').slice(0, 200)}`);
    else if (problem.data.status !== response.status)
      fail('errors are problem documents', `problem status ${problem.data.status} ≠ HTTP ${response.status}`);
    return out;
  }
  if (contract === undefined) {
    fail('statuses are documented', `no route contract for ${request.method} ${request.operation.path}`);
    return out;
  }
  for (const breach of contractBreaches(contract, response)) fail('responses match the contract', breach);
  return out;
}
