import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

/** `name=value` pairs of the Set-Cookie headers, plus the raw header lines. */
function cookiesOf(setCookie: string | string[] | undefined): { values: Map<string, string>; lines: string[] } {
  const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  const values = new Map<string, string>();
  for (const line of lines) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    values.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
  }
  return { values, lines };
}

describe('session cookie and CSRF', () => {
  let t: TestServer;
  let session: string;
  let csrf: string;
  beforeAll(async () => {
    t = await startTestServer();
    const login = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const { values, lines } = cookiesOf(login.headers['set-cookie']);
    session = values.get('flotilla_session')!;
    csrf = values.get('flotilla_csrf')!;
    expect(session).toBe(login.json().token);
    const sessionLine = lines.find((l) => l.startsWith('flotilla_session='))!;
    expect(sessionLine).toMatch(/HttpOnly/);
    expect(sessionLine).toMatch(/SameSite=Lax/);
    expect(sessionLine).not.toMatch(/Secure/); // plain http in tests
    expect(lines.find((l) => l.startsWith('flotilla_csrf='))).not.toMatch(/HttpOnly/);
  });
  afterAll(() => t.close());

  const cookie = () => `flotilla_session=${encodeURIComponent(session)}; flotilla_csrf=${encodeURIComponent(csrf)}`;

  it('authenticates safe requests with the cookie alone', async () => {
    const res = await t.server.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookie() } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'admin' });
  });

  it('refuses unsafe cookie requests without a matching x-csrf-token (403 CSRF_FAILED)', async () => {
    const missing = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { cookie: cookie() },
      payload: {},
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe('CSRF_FAILED');
    const mismatched = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { cookie: cookie(), 'x-csrf-token': `${csrf}x` },
      payload: {},
    });
    expect(mismatched.json().code).toBe('CSRF_FAILED');
    // A planted pair (cookie and header agree, but not derived from this session) fails too.
    const planted = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: {
        cookie: `flotilla_session=${encodeURIComponent(session)}; flotilla_csrf=forged`,
        'x-csrf-token': 'forged',
      },
      payload: {},
    });
    expect(planted.json().code).toBe('CSRF_FAILED');
    const ok = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { cookie: cookie(), 'x-csrf-token': csrf },
      payload: {},
    });
    expect(ok.statusCode).toBe(201);
  });

  it('exempts bearer requests from CSRF and refuses API tokens as cookies', async () => {
    const bearer = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/enrollment-tokens',
      headers: { authorization: `Bearer ${session}` },
      payload: {},
    });
    expect(bearer.statusCode).toBe(201);
    const created = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { authorization: `Bearer ${session}` },
      payload: { name: 'ci' },
    });
    const asCookie = await t.server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { cookie: `flotilla_session=${created.json().token}` },
    });
    expect(asCookie.json().code).toBe('UNAUTHENTICATED');
  });

  it('logout clears the cookies and ends the session', async () => {
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie: cookie(), 'x-csrf-token': csrf },
    });
    expect(res.statusCode).toBe(204);
    expect(cookiesOf(res.headers['set-cookie']).values.get('flotilla_session')).toBe('');
    const after = await t.server.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: cookie() } });
    expect(after.json().code).toBe('UNAUTHENTICATED');
  });
});
