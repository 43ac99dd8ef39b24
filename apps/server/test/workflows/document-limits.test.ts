import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemSchema } from '@flotilla/protocol';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { WORKFLOW } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';

/** Documents over each limit of docs/workflows.md (1 MiB, 64 levels, 2,000 steps). */
function overLimit(): { limit: string; document: string; code: string }[] {
  let steps = 'name: many\ntasks:\n';
  for (let i = 0; i <= 2000; i++) steps += `  - { name: s${i}, type: command, config: { command: "true" } }\n`;
  return [
    {
      limit: 'size',
      document: `name: big\ntasks: []\ndescription: "${'x'.repeat(1024 * 1024)}"\n`,
      code: 'DOCUMENT_TOO_LARGE',
    },
    { limit: 'depth', document: `name: deep\ntasks: ${'['.repeat(600_000)}`, code: 'DOCUMENT_TOO_DEEP' },
    { limit: 'steps', document: steps, code: 'TOO_MANY_STEPS' },
  ];
}

/** `inputs: {deep: [[[…]]]}` nested `depth` levels, as JSON text (a JS value that deep cannot be serialised here). */
function deepInputsBody(depth: number, target: string): string {
  const inputs = `{"deep": ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  return `{"workflow": ${JSON.stringify(WORKFLOW)}, "target": {"agent": ${JSON.stringify(target)}}, "inputs": ${inputs}}`;
}

describe.each(DIALECTS)('document and input limits [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown> | string) => {
    const res = await t.server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload }),
    });
    // Response shapes vary per call; problems are parsed with their schema below.
    const body: any = res.body === '' ? undefined : res.json();
    return { status: res.statusCode, body, contentType: String(res.headers['content-type']) };
  };
  const expectProblem = (res: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.contentType).toContain('application/problem+json');
    return ProblemSchema.parse(res.body);
  };
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    await enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token), name: 'runner-1' });
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  it('validate, create, update and POST /jobs answer 400 WORKFLOW_TOO_LARGE naming the limit; nothing is stored', async () => {
    const existing = await call('POST', '/workflows', { document: WORKFLOW });
    expect(existing.status).toBe(201);
    for (const { limit, document, code } of overLimit()) {
      const answers = [
        await call('POST', '/workflows/validate', { document }),
        await call('POST', '/workflows', { document }),
        await call('PUT', `/workflows/${existing.body.id as string}`, { document }),
        await call('POST', '/jobs', { workflow: document, target: { agent: 'runner-1' } }),
      ];
      for (const res of answers) {
        const problem = expectProblem(res, 400, 'WORKFLOW_TOO_LARGE');
        expect(
          problem.errors?.map((e) => e.code),
          limit,
        ).toEqual([code]);
      }
    }
    const list = await call('GET', '/workflows');
    expect(list.body.items.map((w: { name: string; version: number }) => [w.name, w.version])).toEqual([['hello', 1]]);
    expect((await call('GET', '/jobs')).body.items).toEqual([]);
  });

  it('POST /jobs with inputs nested 5,000 deep → 400 INPUTS_TOO_LARGE, not a 500', async () => {
    const res = await call('POST', '/jobs', deepInputsBody(5000, 'runner-1'));
    const problem = expectProblem(res, 400, 'INPUTS_TOO_LARGE');
    expect(problem.errors?.[0]?.path).toMatch(/^inputs\.deep/);
    expect((await call('GET', '/jobs')).body.items).toEqual([]);
  });

  it('POST /jobs with inputs over 256 KiB → 400 INPUTS_TOO_LARGE; inputs at the limits are accepted', async () => {
    for (const big of [{ blob: 'x'.repeat(256 * 1024) }, { list: new Array<number>(200_000).fill(1) }]) {
      expectProblem(
        await call('POST', '/jobs', { workflow: WORKFLOW, target: { agent: 'runner-1' }, inputs: big }),
        400,
        'INPUTS_TOO_LARGE',
      );
    }
    expect((await call('GET', '/jobs')).body.items).toEqual([]);
    // 64 levels: the inputs object and 63 lists inside it
    const accepted = await call('POST', '/jobs', deepInputsBody(64, 'runner-1'));
    expect(accepted.status).toBe(201);
    expectProblem(await call('POST', '/jobs', deepInputsBody(65, 'runner-1')), 400, 'INPUTS_TOO_LARGE');
  });
});
