import { z } from 'zod';
import { DurationSchema } from '@flotilla/protocol';
import { StepError, defineStep } from '@flotilla/workflow';
import { outboundFetch } from '../net/outbound-fetch.js';
import type { OutboundResponse } from '../net/outbound-fetch.js';
import { abortedError } from '../process/aborted-error.js';
import { readResponse } from './http-response.js';

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Methods that change nothing on the server: safe to repeat after a crash (SPEC §5.3). */
const SAFE_METHODS = new Set<string>(['GET', 'HEAD', 'OPTIONS']);
const StatusSchema = z.int().min(100).max(599);

export const HttpConfigSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).describe('http:// or https:// URL to call'),
    method: z
      .preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), z.enum(METHODS))
      .default('GET')
      .describe('HTTP method; GET, HEAD and OPTIONS are idempotent, others at-most-once'),
    headers: z.record(z.string(), z.string()).default({}).describe('Request headers'),
    query: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe('Query parameters appended to the URL'),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .optional()
      .describe('Request body: an object or list is sent as JSON, a string as is'),
    expected_status: z
      .union([StatusSchema, z.array(StatusSchema).min(1)])
      .optional()
      .describe('Accepted status code(s); default any 2xx'),
    expected_body_contains: z.string().optional().describe('Fail unless the response body contains this text'),
    timeout: DurationSchema.optional().describe(
      "Request timeout (e.g. 10s), including the body; default the step's timeout",
    ),
    follow_redirects: z
      .boolean()
      .default(true)
      .describe('Follow 3xx redirects (at most 20); a redirect to another origin drops credentials'),
    insecure_skip_verify: z
      .boolean()
      .default(false)
      .describe('Accept any TLS certificate (self-signed test servers only)'),
    max_response_bytes: z
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .default(10 * 1024 * 1024)
      .describe('Fail when the response body is larger than this (default 10 MiB)'),
  })
  .refine((c) => c.body === undefined || (c.method !== 'GET' && c.method !== 'HEAD'), {
    message: 'GET and HEAD requests cannot have a body',
    path: ['body'],
  });
export type HttpConfig = z.output<typeof HttpConfigSchema>;

/**
 * `http`: one HTTP request with checks on status and body. Non-GET requests carry the run's
 * `Idempotency-Key`, so a server can recognise a retry of the same attempt.
 */
export const httpStep = defineStep({
  type: 'http',
  description: 'Send an HTTP request and check the response',
  configSchema: HttpConfigSchema,
  effect: (config) => (SAFE_METHODS.has(config.method) ? 'idempotent' : 'at-most-once'),
  async run(ctx) {
    const { config } = ctx;
    const url = new URL(config.url);
    for (const [name, value] of Object.entries(config.query)) url.searchParams.append(name, String(value));
    const headers = Object.fromEntries(
      Object.entries(config.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    let body: string | undefined;
    if (typeof config.body === 'string') body = config.body;
    else if (config.body !== undefined) {
      body = JSON.stringify(config.body);
      headers['content-type'] ??= 'application/json';
    }
    if (!SAFE_METHODS.has(config.method)) headers['idempotency-key'] ??= ctx.idempotencyKey;
    const timeoutSignal = config.timeout === undefined ? undefined : AbortSignal.timeout(config.timeout);
    const signal = timeoutSignal === undefined ? ctx.signal : AbortSignal.any([ctx.signal, timeoutSignal]);
    const target = `${config.method} ${displayUrl(url)}`;
    const started = performance.now();
    const aborted = (): StepError | undefined => {
      if (ctx.signal.aborted) return abortedError(ctx.signal);
      if (timeoutSignal?.aborted) {
        return new StepError('STEP_TIMEOUT', `${target}: no complete response within ${config.timeout} ms`, {
          retryable: true,
        });
      }
      return undefined;
    };

    let answer: OutboundResponse;
    try {
      answer = await outboundFetch(url, {
        method: config.method,
        headers,
        body,
        followRedirects: config.follow_redirects,
        signal,
        destinations: ctx.services.policy.httpDestinations,
        // the run's secrets: a header or body holding one does not follow a redirect elsewhere
        secrets: Object.values(ctx.env),
        insecureSkipVerify: config.insecure_skip_verify,
      });
    } catch (err) {
      throw aborted() ?? (err instanceof StepError ? err : networkError(target, err));
    }
    const read = await readResponse(answer.response, config.max_response_bytes)
      .catch((err: unknown) => {
        throw aborted() ?? (err instanceof StepError ? err : networkError(target, err));
      })
      .finally(answer.close);
    const durationMs = Math.round(performance.now() - started);
    const outputs = { status: read.status, headers: read.headers, body: read.body, duration_ms: durationMs };
    ctx.log.info(`${target} → ${read.status} (${durationMs} ms)`);

    const expected = config.expected_status;
    const statusOk =
      expected === undefined ? read.status >= 200 && read.status < 300 : [expected].flat().includes(read.status);
    if (!statusOk) {
      const wanted = expected === undefined ? '2xx' : [expected].flat().join(', ');
      throw new StepError('STEP_FAILED', `${target} answered ${read.status}, expected ${wanted}`, {
        retryable: read.status >= 500 || read.status === 429 || read.status === 408,
        outputs,
      });
    }
    if (config.expected_body_contains !== undefined && !read.text.includes(config.expected_body_contains)) {
      throw new StepError('STEP_FAILED', `${target}: the response body does not contain the expected text`, {
        outputs,
      });
    }
    return { outputs };
  },
});

/** The URL without credentials or query: safe for logs and error messages (secrets live there). */
function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Connection failures may heal (retryable); certificate problems and redirect loops do not. */
function networkError(target: string, err: unknown): StepError {
  const cause: unknown = err instanceof Error && err.cause !== undefined ? err.cause : err;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : '';
  const reason = cause instanceof Error ? cause.message : String(cause);
  const permanent = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /redirect/i.test(reason);
  return new StepError('STEP_FAILED', `${target} failed: ${reason}${code === '' ? '' : ` (${code})`}`, {
    retryable: !permanent,
    cause: err,
  });
}
