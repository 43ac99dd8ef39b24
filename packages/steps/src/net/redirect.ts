import { StepError } from '@flotilla/workflow';

/** The statuses that are followed (as fetch does); other 3xx answers are the result. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Redirects followed before giving up (fetch's limit). */
export const MAX_REDIRECTS = 20;

/**
 * The only headers sent on to another origin: none of them carries a credential by itself. Any
 * other header (Authorization, Cookie, X-Api-Key, a signature…) may hold one, and whether it was
 * built from a secret cannot always be known (an expression can transform a secret), so it stays
 * with the origin it was meant for.
 */
const CROSS_ORIGIN_SAFE_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-language',
  'content-type',
  'idempotency-key',
  'pragma',
  'user-agent',
]);
/** Headers that describe a body; dropped with the body when a redirect turns a request into GET. */
const BODY_HEADERS: readonly string[] = ['content-encoding', 'content-language', 'content-location', 'content-type'];

/** What is sent on one hop. Header names are lower case. */
export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

const containsSecret = (text: string, secrets: readonly string[]): boolean =>
  secrets.some((secret) => secret !== '' && text.includes(secret));

/**
 * The request to send after `request` was answered `status` with `location` (fetch's rules for
 * the method and body). On a change of origin only the safe headers go on, and not even those
 * when they hold one of `secrets`; a body that holds one is not resent there (`STEP_FAILED`).
 */
export function redirectedRequest(
  request: HopRequest,
  answer: { status: number; location: string },
  secrets: readonly string[],
): HopRequest {
  let url: URL;
  try {
    url = new URL(answer.location, request.url);
  } catch (err) {
    throw new StepError('STEP_FAILED', 'the server redirected to an invalid location', { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StepError('STEP_FAILED', `the server redirected to an unsupported ${url.protocol} URL`);
  }
  let { method, body } = request;
  let headers = request.headers;
  const toGet =
    ((answer.status === 301 || answer.status === 302) && method === 'POST') ||
    (answer.status === 303 && method !== 'GET' && method !== 'HEAD');
  if (toGet) {
    method = 'GET';
    body = undefined;
    headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !BODY_HEADERS.includes(name)));
  }
  if (url.origin !== request.url.origin) {
    headers = Object.fromEntries(
      Object.entries(headers).filter(
        ([name, value]) => CROSS_ORIGIN_SAFE_HEADERS.has(name) && !containsSecret(value, secrets),
      ),
    );
    if (body !== undefined && containsSecret(body, secrets)) {
      throw new StepError(
        'STEP_FAILED',
        `the server redirected (${answer.status}) to another origin (${url.origin}); the request body holds a secret and is not sent there`,
      );
    }
  }
  return { url, method, headers, body };
}
