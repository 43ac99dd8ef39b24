import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '@flotilla/protocol';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

/** Every route with a body, and a valid-shaped body to start from. */
const BODY_ROUTES: { url: string; valid: Record<string, unknown>; wrongType: Record<string, unknown> }[] = [
  {
    url: '/api/v1/auth/login',
    valid: { username: 'admin', password: 'x' },
    wrongType: { username: 42, password: 'x' },
  },
  { url: '/api/v1/enrollment-tokens', valid: { uses: 1 }, wrongType: { uses: 'many' } },
  {
    url: '/api/v1/agents/enroll',
    valid: {
      token: 't',
      publicKey: `${'A'.repeat(43)}=`,
      name: 'n',
      facts: { hostname: 'h', os: 'linux', arch: 'x64', agentVersion: '1' },
    },
    wrongType: { token: 't', publicKey: `${'A'.repeat(43)}=`, name: 'n', facts: 'linux' },
  },
  {
    url: '/api/v1/jobs',
    valid: { workflow: 'name: x', target: { agent: 'a' } },
    wrongType: { workflow: 'name: x', target: { agent: 7 } },
  },
];

describe('error responses (RFC 9457)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const post = (url: string, payload: string, contentType = 'application/json') =>
    t.server.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': contentType, authorization: `Bearer ${t.token}` },
    });

  function expectProblem(
    res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    status: number,
    code: string,
  ) {
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const problem = ProblemSchema.parse(res.json());
    expect(problem).toMatchObject({ status, code });
    expect(problem.type).toMatch(/^https:\/\//);
    return problem;
  }

  describe.each(BODY_ROUTES)('POST $url', ({ url, valid, wrongType }) => {
    it('malformed JSON → 400 MALFORMED_JSON', async () => {
      expectProblem(await post(url, '{"username": '), 400, 'MALFORMED_JSON');
    });
    it('unknown field → 400 VALIDATION_FAILED naming the field', async () => {
      const problem = expectProblem(
        await post(url, JSON.stringify({ ...valid, surprise: true })),
        400,
        'VALIDATION_FAILED',
      );
      expect(problem.errors).toContainEqual(expect.objectContaining({ path: 'surprise' }));
    });
    it('wrong type → 400 VALIDATION_FAILED with the path', async () => {
      const problem = expectProblem(await post(url, JSON.stringify(wrongType)), 400, 'VALIDATION_FAILED');
      expect(problem.errors!.length).toBeGreaterThan(0);
      expect(problem.errors![0]!.path).not.toBe('');
    });
    it('wrong content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      expectProblem(await post(url, JSON.stringify(valid), 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('missing required fields are listed together', async () => {
    const problem = expectProblem(await post('/api/v1/jobs', '{}'), 400, 'VALIDATION_FAILED');
    expect(problem.errors!.map((e) => e.path).sort()).toEqual(['target', 'workflow']);
  });

  it('bad query and params → 400 VALIDATION_FAILED', async () => {
    const auth = { authorization: `Bearer ${t.token}` };
    expectProblem(
      await t.server.app.inject({ method: 'GET', url: '/api/v1/agents?limit=0', headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.server.app.inject({ method: 'GET', url: '/api/v1/jobs?bogus=1', headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.server.app.inject({ method: 'GET', url: '/api/v1/jobs?cursor=zzz', headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.server.app.inject({ method: 'GET', url: `/api/v1/agents/${'x'.repeat(65)}`, headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.server.app.inject({ method: 'GET', url: '/api/v1/jobs/j/logs?after=-1', headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('unknown route → 404 ROUTE_NOT_FOUND, inside and outside /api/v1', async () => {
    expectProblem(await t.server.app.inject({ method: 'GET', url: '/api/v1/nope' }), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await t.server.app.inject({ method: 'GET', url: '/nope' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('a body over the limit → 413 PAYLOAD_TOO_LARGE', async () => {
    expectProblem(
      await post('/api/v1/jobs', JSON.stringify({ workflow: 'x'.repeat(5 * 1024 * 1024) })),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('health and readiness', async () => {
    expect((await t.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true, detail: 'sqlite' } } });
  });
});
