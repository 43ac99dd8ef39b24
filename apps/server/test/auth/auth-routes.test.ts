import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '@flotilla/protocol';
import { ADMIN_PASSWORD, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';

const LIMITED_PASSWORD = 'limited user password';

describe('auth routes', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ loginRateLimit: 5 });
    // Its own user: five failures would also lock the account (lockout is tested separately).
    const created = await api(t.server, t.token).post('/users', {
      username: 'limited',
      password: LIMITED_PASSWORD,
      role: 'member',
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => t.close());

  const login = (username: string, password: string, ip = '10.0.0.1') =>
    t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: ip,
    });

  it('logs in with the right password and returns a token and the user', async () => {
    const res = await login('admin', ADMIN_PASSWORD, '10.0.0.2');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^flt_s_/);
    expect(body.user).toMatchObject({ username: 'admin', role: 'owner', tenant: 'default' });
    expect((await api(t.server, body.token).get('/auth/me')).body).toMatchObject({
      username: 'admin',
      tenant: 'default',
    });
  });

  it('refuses a wrong password and an unknown user alike (401 INVALID_CREDENTIALS)', async () => {
    for (const res of [
      await login('admin', 'wrong password', '10.0.0.3'),
      await login('nobody', 'whatever', '10.0.0.3'),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(ProblemSchema.parse(res.json()).code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('rate-limits login attempts per address and username (429 RATE_LIMITED)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await login('limited', 'bad', '10.0.0.9')).statusCode);
    codes.push((await login('limited', LIMITED_PASSWORD, '10.0.0.9')).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 200]);
    const limited = await login('limited', LIMITED_PASSWORD, '10.0.0.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    // Another address is not affected.
    expect((await login('limited', LIMITED_PASSWORD, '10.0.0.10')).statusCode).toBe(200);
  });

  it('requires a bearer token everywhere else (401 UNAUTHENTICATED)', async () => {
    for (const url of ['/api/v1/auth/me', '/api/v1/agents', '/api/v1/jobs', '/api/v1/enrollment-tokens']) {
      const res = await t.server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
    const bad = await t.server.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: 'Bearer flt_s_unknown' },
    });
    expect(bad.json().code).toBe('UNAUTHENTICATED');
  });

  it('logout invalidates the token', async () => {
    const { token } = (await login('admin', ADMIN_PASSWORD, '10.0.0.4')).json();
    const client = api(t.server, token);
    expect((await client.post('/auth/logout')).status).toBe(204);
    expect((await client.get('/auth/me')).status).toBe(401);
  });

  it('never writes passwords or tokens to the log', async () => {
    const { token } = (await login('admin', ADMIN_PASSWORD, '10.0.0.5')).json();
    await api(t.server, token).get('/auth/me');
    const logs = t.logs.text();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(ADMIN_PASSWORD);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('wrong password');
  });
});
