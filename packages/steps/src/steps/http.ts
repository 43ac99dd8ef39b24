import { StepError } from '@flotilla/workflow';
import { outboundFetch } from '../net/outbound-fetch.js';
import type { OutboundResponse } from '../net/outbound-fetch.js';
import { abortedError } from '../process/aborted-error.js';
import { readResponse } from './http-response.js';
import { SAFE_METHODS, httpSpec } from '../catalogue/http.js';
import { withRunner } from './step-runner.js';

/**
 * `http`: one HTTP request with checks on status and body. Non-GET requests carry the run's
 * `Idempotency-Key`, so a server can recognise a retry of the same attempt.
 */
export const httpStep = withRunner(httpSpec, {
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
    // `config.timeout` is the step's timeout (the document compiler makes it so): ctx.signal carries it
    const signal = ctx.signal;
    const target = `${config.method} ${displayUrl(url)}`;
    const started = performance.now();
    const aborted = (): StepError | undefined => (ctx.signal.aborted ? abortedError(ctx.signal) : undefined);

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
      expected === 'any' ||
      (expected === undefined ? read.status >= 200 && read.status < 300 : [expected].flat().includes(read.status));
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
