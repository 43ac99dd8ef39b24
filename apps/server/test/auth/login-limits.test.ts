import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';

/** The documented default of `loginAddressRateLimit`: attempts per minute from one address. */
const DEFAULT_PER_ADDRESS = 30;

/**
 * Finding 13: the login limit was per address and username together, so an attacker rotating
 * usernames from one address was never limited, and each attempt cost an argon2 check and an
 * audit record.
 */
describe('login limit per address', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const login = (username: string, password: string, ip: string) =>
    t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: ip,
    });
  const failedLoginRecords = async () =>
    (await api(t.server, t.token).get('/audit?action=auth.login_failed&limit=1000')).body.items.length as number;

  it('rotating usernames from one address is refused past the per-address limit, before any password check or audit record', async () => {
    const recordsBefore = await failedLoginRecords();
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_PER_ADDRESS + 5; i++)
      statuses.push((await login(`nobody-${i}`, 'guess', '10.9.0.1')).statusCode);
    expect(statuses.slice(0, DEFAULT_PER_ADDRESS)).toEqual(Array.from({ length: DEFAULT_PER_ADDRESS }, () => 401));
    expect(statuses.slice(DEFAULT_PER_ADDRESS)).toEqual([429, 429, 429, 429, 429]);
    const refused = await login('admin', ADMIN_PASSWORD, '10.9.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    // Only the attempts that were let through were checked and audited.
    expect((await failedLoginRecords()) - recordsBefore).toBe(DEFAULT_PER_ADDRESS);
    // Another address is not affected.
    expect((await login('admin', ADMIN_PASSWORD, '10.9.0.2')).statusCode).toBe(200);
  });
});

describe('login limit per address, configured', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ loginAddressRateLimit: 3 });
  });
  afterAll(() => t.close());

  const login = (username: string, ip: string) =>
    t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password: 'guess' },
      remoteAddress: ip,
    });

  it('counts IPv6 addresses per /64 and says when to retry', async () => {
    const statuses: number[] = [];
    // Four addresses of one /64: one subscriber rotating through its block.
    for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3', '2001:db8:1:2::4'])
      statuses.push((await login(`u-${ip}`, ip)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const refused = await login('someone', '2001:db8:1:2::99');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The next /64 is another subscriber.
    expect((await login('someone', '2001:db8:1:3::1')).statusCode).toBe(401);
  });
});
