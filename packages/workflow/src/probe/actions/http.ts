import { z } from 'zod';
import { parseProbeDuration } from '../duration.js';
import { ProbeDurationSchema } from '../schema.js';
import type { ActionOutcome, ActionStep, ProbeAction, ProbeResult } from './action.js';
import { ProbeActionError } from './action.js';
import { statusLine } from './http-status-text.js';
import { asText, base64Utf8, canonicalHeaderName, isMap, joinUrlPath, parsedBody, textMap } from './values.js';

/** Method shorthands in the order probe looks for them (the first one found wins). */
const SHORTHANDS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
const DEFAULT_HEADERS = { Accept: '*/*', 'User-Agent': 'probe-http/1.0.0' };
const DEFAULT_TIMEOUT_MS = 30_000;
const JSON_TYPE = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const route = z.string().optional();

const HttpWithSchema = z
  .strictObject({
    url: z.string().optional(),
    method: z.string().optional(),
    headers: z.record(z.string(), Scalar).optional(),
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    timeout: ProbeDurationSchema.optional(),
    basic_auth: z.strictObject({ username: z.string().min(1), password: Scalar.optional() }).optional(),
    form: z.record(z.string(), z.union([Scalar, z.array(Scalar)])).optional(),
    get: route,
    head: route,
    post: route,
    put: route,
    patch: route,
    delete: route,
    options: route,
  })
  .superRefine((input, ctx) => {
    const shorthand = SHORTHANDS.find((m) => input[m] !== undefined);
    const target = shorthand === undefined ? undefined : input[shorthand];
    const absolute = typeof target === 'string' && /^https?:\/\//.test(target);
    if (input.url === undefined && !absolute) {
      ctx.addIssue({
        code: 'custom',
        path: shorthand === undefined ? [] : [shorthand],
        message:
          shorthand === undefined
            ? 'give url (or a method shorthand such as get: https://…)'
            : 'a path needs url (in with or in the job defaults) to be resolved against',
      });
    }
    if (input.form !== undefined && input.body !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['form'], message: 'give form or body, not both' });
    }
  });

function resolveUrl(input: Record<string, unknown>): { method: string; url: string } {
  const shorthand = SHORTHANDS.find((m) => input[m] !== undefined);
  let method = asText(input.method ?? 'GET').toUpperCase();
  let url = asText(input.url);
  if (shorthand !== undefined) {
    method = shorthand.toUpperCase();
    const route = asText(input[shorthand]);
    if (/^https?:\/\//.test(route)) url = route;
    else {
      if (url === '')
        throw new ProbeActionError(`${shorthand}: "${route}" is a path, and there is no url to resolve it against`);
      let base: URL;
      try {
        base = new URL(url);
      } catch {
        throw new ProbeActionError(`url "${url}" is not a URL`);
      }
      const target = new URL(route, 'http://route.invalid');
      base.pathname = joinUrlPath(base.pathname, target.pathname);
      if (target.search !== '') base.search = target.search;
      url = base.toString();
    }
  }
  return { method, url };
}

/** The headers without `name` (compared without case). */
function without(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== name.toLowerCase()));
}

/** Custom headers over probe's defaults, names compared without case. */
function mergedHeaders(custom: Record<string, string>): Record<string, string> {
  let headers: Record<string, string> = { ...DEFAULT_HEADERS };
  for (const [name, value] of Object.entries(custom)) {
    headers = { ...without(headers, name), [name]: value.replace(/[\r\n]/g, '') };
  }
  return headers;
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

function formBody(form: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const name of Object.keys(form).sort()) {
    const value = form[name];
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, asText(item));
  }
  return params.toString();
}

function toStep(input: Record<string, unknown>): ActionStep {
  const { method, url } = resolveUrl(input);
  let headers = mergedHeaders(textMap(input.headers));
  const secrets: string[] = [];
  if (isMap(input.basic_auth)) {
    if (headerOf(headers, 'authorization') !== undefined) {
      throw new ProbeActionError('basic_auth and an authorization header cannot be given together');
    }
    const user = asText(input.basic_auth.username);
    const password = asText(input.basic_auth.password);
    if (user.includes(':')) throw new ProbeActionError('basic_auth.username must not contain a colon');
    headers.authorization = `Basic ${base64Utf8(`${user}:${password}`)}`;
    if (password !== '') secrets.push(password, headers.authorization);
  }
  let body: string | undefined;
  if (isMap(input.form)) {
    headers = { ...without(headers, 'content-type'), 'content-type': 'application/x-www-form-urlencoded' };
    body = formBody(input.form);
  } else if (typeof input.body === 'string') {
    body = input.body;
  } else if (input.body !== undefined && input.body !== null) {
    const type = headerOf(headers, 'content-type');
    if (type !== undefined && !JSON_TYPE.test(type)) {
      throw new ProbeActionError(`body is a mapping or a list, which is sent as JSON; the content-type is "${type}"`);
    }
    if (type === undefined) headers['content-type'] = 'application/json';
    body = JSON.stringify(input.body);
  }
  const timeoutMs = input.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseProbeDuration(input.timeout);
  if (timeoutMs === undefined) throw new ProbeActionError(`timeout "${asText(input.timeout)}" is not a duration`);
  const config: Record<string, unknown> = {
    url,
    method,
    headers,
    // a 404 is an answer for `test` to judge, never a failure of the action
    expected_status: 'any',
    ...(body === undefined || body === '' ? {} : { body }),
  };
  // the request's time limit bounds the attempt (the step type's own limit is the step timeout)
  return { config, secrets, ...(timeoutMs > 0 ? { timeoutMs } : {}) };
}

function toResult(outcome: ActionOutcome, input: Record<string, unknown>): ProbeResult {
  const sent = (() => {
    try {
      return toStep(input).config;
    } catch {
      return {};
    }
  })();
  const req = { method: sent.method, url: sent.url, headers: sent.headers, body: sent.body ?? '' };
  const code = outcome.outputs.status;
  if (typeof code !== 'number') {
    const error = outcome.ok ? undefined : outcome.failure;
    return { res: {}, req, status: 1, error };
  }
  const headers: Record<string, string> = {};
  const raw = isMap(outcome.outputs.headers) ? outcome.outputs.headers : {};
  for (const [name, value] of Object.entries(raw)) {
    headers[canonicalHeaderName(name)] = Array.isArray(value) ? value.map(asText).join(', ') : asText(value);
  }
  const res = { code, status: statusLine(code), headers, ...parsedBody(outcome.outputs.body) };
  return { res, req, status: code >= 200 && code < 300 ? 0 : 1, error: outcome.ok ? undefined : outcome.failure };
}

/** `http`: one request; `res.code`, `res.status`, `res.headers`, `res.body` (parsed JSON) and `res.rawbody`. */
export const httpAction: ProbeAction = {
  name: 'http',
  stepType: 'http',
  withSchema: HttpWithSchema,
  unsupportedFields: {
    multipart: 'multipart uploads are not implemented (send a body or a form)',
    cookies: 'cookies are not implemented (send a cookie header)',
    keep_cookies: 'cookie jars are not implemented',
    trace_header: 'trace headers are not implemented (send the header in headers)',
    openapi: 'OpenAPI contract checks are not implemented',
    connect: 'the CONNECT method is not supported by the http step',
    trace: 'the TRACE method is not supported by the http step',
  },
  toStep,
  toResult,
};
