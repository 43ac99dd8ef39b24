import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';

const PROXY = '10.1.2.3';
const STRANGER = '203.0.113.9';

/** The `Set-Cookie` line of the session cookie. */
function sessionCookie(setCookie: string | string[] | undefined): string {
  const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  const line = lines.find((l) => l.startsWith('flotilla_session='));
  if (line === undefined) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return line;
}

/**
 * Finding 13: behind a TLS-terminating proxy the session cookie never got `Secure`. The proxy's
 * `X-Forwarded-Proto` (and `X-Forwarded-For`) are honoured from the configured trusted proxies
 * only; from anyone else they are ignored, so a client cannot claim another address or scheme.
 */
describe('trusted proxies', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ trustedProxies: [PROXY, '192.168.0.0/16'] });
  });
  afterAll(() => t.close());

  const login = (remoteAddress: string, headers: Record<string, string>) =>
    t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
      remoteAddress,
      headers,
    });

  it('X-Forwarded-Proto: https from a trusted proxy gives a Secure cookie; from an untrusted address it does not', async () => {
    const viaProxy = await login(PROXY, { 'x-forwarded-proto': 'https' });
    expect(viaProxy.statusCode).toBe(200);
    expect(sessionCookie(viaProxy.headers['set-cookie'])).toMatch(/; Secure/);
    const viaCidr = await login('192.168.7.1', { 'x-forwarded-proto': 'https' });
    expect(sessionCookie(viaCidr.headers['set-cookie'])).toMatch(/; Secure/);

    const spoofed = await login(STRANGER, { 'x-forwarded-proto': 'https' });
    expect(spoofed.statusCode).toBe(200);
    expect(sessionCookie(spoofed.headers['set-cookie'])).not.toMatch(/Secure/);
    const plain = await login(PROXY, {});
    expect(sessionCookie(plain.headers['set-cookie'])).not.toMatch(/Secure/);
  });

  it('takes the client address from X-Forwarded-For only through a trusted proxy (audit source)', async () => {
    await login(PROXY, { 'x-forwarded-for': '198.51.100.20' });
    await login(STRANGER, { 'x-forwarded-for': '198.51.100.21' });
    const sources = (await api(t.server, t.token).get('/audit?action=auth.login&limit=2')).body.items.map(
      (e: { source: string }) => e.source,
    );
    expect(sources).toEqual([STRANGER, '198.51.100.20']);
  });
});

describe('trusted proxies and the login limit per address', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ trustedProxies: [PROXY], loginAddressRateLimit: 2 });
  });
  afterAll(() => t.close());

  const attempt = (remoteAddress: string, forwardedFor: string) =>
    t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'nobody', password: 'guess' },
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('counts the clients behind a trusted proxy apart, and a stranger by its own address whatever it forwards', async () => {
    const behindProxy = [];
    for (const client of ['198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.2'])
      behindProxy.push((await attempt(PROXY, client)).statusCode);
    expect(behindProxy).toEqual([401, 401, 429, 401]);
    const stranger = [];
    for (const client of ['198.51.100.3', '198.51.100.4', '198.51.100.5'])
      stranger.push((await attempt(STRANGER, client)).statusCode);
    expect(stranger).toEqual([401, 401, 429]);
  });
});

describe('a trusted proxy over a real socket', () => {
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer({ trustedProxies: 'loopback' });
    base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('honours X-Forwarded-Proto from a loopback proxy', async () => {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(sessionCookie(res.headers.getSetCookie())).toMatch(/; Secure/);
  });
});

describe('without trusted proxies (the default)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('ignores X-Forwarded-Proto and X-Forwarded-For, even from loopback', async () => {
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
      remoteAddress: '127.0.0.1',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.22' },
    });
    expect(sessionCookie(res.headers['set-cookie'])).not.toMatch(/Secure/);
    const sources = (await api(t.server, t.token).get('/audit?action=auth.login&limit=1')).body.items.map(
      (e: { source: string }) => e.source,
    );
    expect(sources).toEqual(['127.0.0.1']);
  });
});
