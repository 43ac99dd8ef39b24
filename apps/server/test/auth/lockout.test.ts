import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { LOCKOUT_THRESHOLD } from '../../src/auth/lockout.js';
import { createUser, USER_PASSWORD } from '../tenancy/tenancy-helpers.js';

describe('account lockout', () => {
  let t: TestServer;
  beforeAll(async () => {
    // Rate limiting is per address and would answer 429 first; lockout is per account.
    t = await startTestServer({ loginRateLimit: 1000 });
  });
  afterAll(() => t.close());

  const login = (username: string, password: string) =>
    t.server.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });

  it(`locks an account after ${LOCKOUT_THRESHOLD} consecutive failures (423 ACCOUNT_LOCKED), audited`, async () => {
    await createUser(t.server, t.token, { username: 'victim', role: 'member' });
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++)
      expect((await login('victim', 'wrong password')).json().code).toBe('INVALID_CREDENTIALS');
    const locked = await login('victim', USER_PASSWORD);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().code).toBe('ACCOUNT_LOCKED');
    const users = (await api(t.server, t.token).get('/users')).body.items;
    expect(users.find((u: { username: string }) => u.username === 'victim').lockedUntil).toMatch(/^\d{4}-/);
    const actions = (await api(t.server, t.token).get('/audit?limit=100')).body.items.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toContain('auth.account_locked');
    expect(actions).toContain('auth.login_locked');
  });

  it('a success resets the counter: failures must be consecutive', async () => {
    await createUser(t.server, t.token, { username: 'careless', role: 'member' });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < LOCKOUT_THRESHOLD - 1; i++) await login('careless', 'wrong password');
      expect((await login('careless', USER_PASSWORD)).statusCode).toBe(200);
    }
  });
});
