import { FlotillaClient } from '@flotilla/client';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
const CSRF_COOKIE = 'flotilla_csrf';

/** The readable CSRF cookie the server set at login (the session cookie itself is HTTP-only). */
function csrfCookie(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Whether a session cookie pair is set. The CSRF cookie lives exactly as long as the HTTP-only
 * session cookie, so without it there is no session to ask the server about (and no 401 to log).
 */
export function hasSessionCookie(): boolean {
  return csrfCookie() !== undefined;
}

let currentProject: string | undefined;

/** Every request after this names `project` (by id) in `x-flotilla-project`; `undefined`: the default. */
export function useProjectForRequests(project: string | undefined): void {
  currentProject = project;
}

/**
 * The one client of the UI: same origin, authenticated by the HTTP-only session cookie (no token
 * is ever kept in script-readable storage), unsafe methods echo the CSRF cookie.
 */
export const client = new FlotillaClient({
  baseUrl: window.location.origin,
  requestHeaders: (method) => {
    const headers: Record<string, string> = {};
    const csrf = SAFE_METHODS.has(method) ? undefined : csrfCookie();
    if (csrf !== undefined) headers['x-csrf-token'] = csrf;
    if (currentProject !== undefined) headers['x-flotilla-project'] = currentProject;
    return headers;
  },
});

/** The API of every `/api/v1` route, typed by the contract table. */
export const api = client.api;
