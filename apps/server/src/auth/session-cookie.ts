import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError } from '@flotilla/protocol';

/** HTTP-only cookie holding the session token for browsers. */
export const SESSION_COOKIE = 'flotilla_session';
/** Readable cookie holding the CSRF token the UI echoes in `x-csrf-token`. */
export const CSRF_COOKIE = 'flotilla_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookies of a request (first value wins); malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // A malformed escape is just not our cookie.
    }
  }
  return cookies;
}

/**
 * The CSRF token of a session: derived from the session secret, so a cookie planted by a sibling
 * subdomain (cookie tossing) cannot be paired with a header of the attacker's choice.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`flotilla-csrf:${sessionToken}`, 'utf8').digest('base64url');
}

function cookie(name: string, value: string, attributes: string[]): string {
  return [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax', ...attributes].join('; ');
}

/** Sets the session and CSRF cookies; `Secure` when the request came over https. */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  session: { token: string; expiresAt: string },
): void {
  const secure = request.protocol === 'https' ? ['Secure'] : [];
  const expires = `Expires=${new Date(session.expiresAt).toUTCString()}`;
  void reply.header('set-cookie', [
    cookie(SESSION_COOKIE, session.token, ['HttpOnly', expires, ...secure]),
    cookie(CSRF_COOKIE, csrfTokenFor(session.token), [expires, ...secure]),
  ]);
}

/** Expires both cookies (logout). */
export function clearSessionCookies(reply: FastifyReply): void {
  const gone = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT';
  void reply.header('set-cookie', [cookie(SESSION_COOKIE, '', ['HttpOnly', gone]), cookie(CSRF_COOKIE, '', [gone])]);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Double-submit check for cookie-authenticated unsafe requests: the `x-csrf-token` header must
 * equal the `flotilla_csrf` cookie and the token derived from the session. Bearer requests are
 * exempt (a browser never attaches them on its own).
 */
export function checkCsrf(request: FastifyRequest, cookies: Map<string, string>, sessionToken: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const header = request.headers[CSRF_HEADER];
  const cookieValue = cookies.get(CSRF_COOKIE);
  const expected = csrfTokenFor(sessionToken);
  if (
    typeof header !== 'string' ||
    cookieValue === undefined ||
    !sameText(header, cookieValue) ||
    !sameText(header, expected)
  ) {
    throw new FlotillaError('CSRF_FAILED', {
      detail: `Send the ${CSRF_COOKIE} cookie value in the ${CSRF_HEADER} header`,
    });
  }
}
