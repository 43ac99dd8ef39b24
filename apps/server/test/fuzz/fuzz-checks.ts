import { z } from 'zod';
import { ProblemSchema } from '@flotilla/protocol';
import type { RouteDoc } from '../../src/openapi/route-doc.js';
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

/** The route description an operation of the document was built from. */
export function routeDocFor(docs: readonly RouteDoc[], method: string, documentedPath: string): RouteDoc | undefined {
  return docs.find((d) => d.method === method && (d.documentedAs ?? d.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')) === documentedPath);
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
 * The documented schemas are the Zod schemas the OpenAPI document is generated from.
 */
export function checkResponse(request: FuzzRequest, response: FuzzResponse, doc: RouteDoc | undefined): Omit<Violation, 'request'>[] {
  const out: Omit<Violation, 'request'>[] = [];
  const fail = (rule: string, detail: string) => out.push({ status: response.status, rule, detail });
  const documented = doc?.responses[response.status];
  if (response.status >= 500 && !(documented instanceof z.ZodType)) fail('no 5xx', (response.text ?? '').slice(0, 300));
  if (response.status >= 400 && !(documented instanceof z.ZodType)) {
    if (!response.contentType.startsWith('application/problem+json')) fail('errors are problem documents', `content-type ${response.contentType}: ${(response.text ?? '').slice(0, 200)}`);
    const json = parseJson(response.text);
    const problem = json.ok ? ProblemSchema.safeParse(json.value) : undefined;
    if (problem === undefined || !problem.success) fail('errors are problem documents', `not a problem with a code: ${(response.text ?? '').slice(0, 200)}`);
    else if (problem.data.status !== response.status) fail('errors are problem documents', `problem status ${problem.data.status} ≠ HTTP ${response.status}`);
    return out;
  }
  if (response.status >= 400) {
    const json = parseJson(response.text);
    const parsed = json.ok && documented instanceof z.ZodType ? documented.safeParse(json.value) : undefined;
    if (parsed === undefined || !parsed.success) fail('bodies match the documented schema', (response.text ?? '').slice(0, 200));
    return out;
  }
  if (doc === undefined) {
    fail('statuses are documented', `no route description for ${request.method} ${request.operation.path}`);
    return out;
  }
  if (documented === undefined) {
    fail('statuses are documented', `${request.method} ${request.operation.path} answered ${response.status}`);
    return out;
  }
  if (documented === null) {
    if ((response.text ?? '') !== '') fail('bodies match the documented schema', `expected no body, got ${(response.text ?? '').slice(0, 100)}`);
  } else if (documented === 'problem') {
    fail('bodies match the documented schema', `a success status documented as a problem`);
  } else if (documented instanceof z.ZodType) {
    const json = parseJson(response.text);
    const parsed = json.ok ? documented.safeParse(json.value) : undefined;
    if (parsed === undefined || !parsed.success) {
      const issue = parsed?.success === false ? JSON.stringify(parsed.error.issues[0]) : 'not JSON';
      fail('bodies match the documented schema', `${issue}; body ${(response.text ?? '').slice(0, 200)}`);
    }
  } else if (!response.contentType.startsWith(documented.contentType)) {
    fail('bodies match the documented schema', `content-type ${response.contentType}, documented ${documented.contentType}`);
  }
  return out;
}
