import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '@flotilla/protocol';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, WORKFLOW } from '../helpers/api.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';

interface RawResponse {
  status: number;
  type: string;
  body: string;
}

/** Raw HTTP over loopback: the URL goes out byte for byte (no client-side normalising or limits). */
function raw(
  base: URL,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: Number(base.port),
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The response is an RFC 9457 problem with this status and code; returns it. */
function expectProblem(res: RawResponse, status: number, code: string) {
  expect({ status: res.status, body: res.body.slice(0, 300) }).toMatchObject({ status });
  expect(res.type).toMatch(/^application\/problem\+json/);
  const problem = ProblemSchema.parse(JSON.parse(res.body));
  expect(problem).toMatchObject({ status, code });
  return problem;
}

describe.each(DIALECTS)('hostile input gets a problem, never a 500 [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let base: URL;
  let auth: Record<string, string>;
  let jobId: string;
  let workflowId: string;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    base = new URL(await t.server.app.listen({ port: 0, host: '127.0.0.1' }));
    auth = { authorization: `Bearer ${t.token}` };
    const client = api(t.server, t.token);
    workflowId = (await client.post('/workflows', { document: WORKFLOW })).body.id;
    // A job needs an agent to target; an enrolled agent that never connects keeps it queued.
    await enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token), name: 'hostile' });
    jobId = (await client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'hostile' } })).body.id;
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  // Regression (hardening finding 4): NUL in ids, query strings and JSON bodies reached
  // PostgreSQL, which cannot hold U+0000 in text, and came back as 500.
  it('refuses U+0000 anywhere in params, query and body with 400 VALIDATION_FAILED', async () => {
    const json = { 'content-type': 'application/json' };
    const login = await raw(base, {
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: json,
      body: JSON.stringify({ username: 'ad\u0000min', password: 'x' }),
    });
    expect(expectProblem(login, 400, 'VALIDATION_FAILED').errors).toEqual([
      { path: 'username', message: expect.stringContaining('NUL'), in: 'body' },
    ]);
    expectProblem(await raw(base, { path: '/api/v1/jobs/%00', headers: auth }), 400, 'VALIDATION_FAILED');
    expectProblem(
      await raw(base, { path: `/api/v1/workflows/wf%00x/versions`, headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(await raw(base, { path: '/api/v1/logs/search?q=a%00b', headers: auth }), 400, 'VALIDATION_FAILED');
    expectProblem(await raw(base, { path: '/api/v1/jobs?cursor=%00', headers: auth }), 400, 'VALIDATION_FAILED');
    const nested = { workflow: WORKFLOW, target: { agent: 'hostile' }, inputs: { deep: [{ 'k\u0000': 1 }] } };
    const problem = expectProblem(
      await raw(base, {
        method: 'POST',
        path: '/api/v1/jobs',
        headers: { ...auth, ...json },
        body: JSON.stringify(nested),
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(problem.errors?.[0]).toMatchObject({ path: 'inputs.deep.0.k\u0000', in: 'body' });
    // A cursor is opaque base64; one that decodes to an id with NUL is not one of ours.
    const forged = Buffer.from('2026-01-01T00:00:00.000Z|a\u0000').toString('base64url');
    expectProblem(await raw(base, { path: `/api/v1/jobs?cursor=${forged}`, headers: auth }), 400, 'VALIDATION_FAILED');
  });

  // Regression (hardening finding 4): `after=3000000000` overflowed PostgreSQL's `integer` (500).
  it('bounds integer parameters by their column type', async () => {
    expectProblem(
      await raw(base, { path: `/api/v1/jobs/${jobId}/logs?after=3000000000`, headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await raw(base, { path: `/api/v1/workflows/${workflowId}/versions/3000000000`, headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await raw(base, { path: `/api/v1/workflows/${workflowId}/diff?from=1&to=3000000000`, headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    const seqCursor = Buffer.from('seq:999999999999999').toString('base64url');
    expectProblem(
      await raw(base, { path: `/api/v1/audit?cursor=${seqCursor}`, headers: auth }),
      400,
      'VALIDATION_FAILED',
    );
    const body = JSON.stringify({ workflow: WORKFLOW, target: { agent: 'hostile' }, expiresIn: 2 ** 53 });
    expectProblem(
      await raw(base, {
        method: 'POST',
        path: '/api/v1/jobs',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      }),
      400,
      'VALIDATION_FAILED',
    );
    // The largest stored value is fine.
    expect((await raw(base, { path: `/api/v1/jobs/${jobId}/logs?after=2147483647`, headers: auth })).status).toBe(200);
  });

  // Regression (hardening finding 11): the router's and Node's own errors were Fastify JSON
  // (`{"error","message","statusCode"}`) that echoed the URL, not problem documents.
  it('answers the framework’s own errors with problem documents that do not echo the URL', async () => {
    const badEncoding = expectProblem(await raw(base, { path: '/api/v1/jobs/%zz', headers: auth }), 400, 'BAD_REQUEST');
    expect(JSON.stringify(badEncoding)).not.toContain('%zz');
    const long = 'x'.repeat(101);
    const tooLong = expectProblem(
      await raw(base, { path: `/api/v1/jobs/${long}`, headers: auth }),
      414,
      'URI_TOO_LONG',
    );
    expect(JSON.stringify(tooLong)).not.toContain(long);
    const huge = expectProblem(
      await raw(base, { path: `/api/v1/jobs?q=${'x'.repeat(20_000)}`, headers: auth }),
      431,
      'HEADERS_TOO_LARGE',
    );
    expect(JSON.stringify(huge).length).toBeLessThan(1000);
    expectProblem(await raw(base, { path: '/agent/v1/connect' }), 426, 'WEBSOCKET_REQUIRED');
  });
});
