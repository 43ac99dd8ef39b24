import { writeFile } from 'node:fs/promises';
import { apiRoutes, listRoutes, platformRoutes } from '@flotilla/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, WORKFLOW } from '../helpers/api.js';
import { createEnrollmentToken, enrollAgent, newAgentKey } from '../helpers/test-agent.js';
import { seededRandom } from './json-schema-values.js';
import { operationsOf, requestsFor } from './fuzz-requests.js';
import type { FuzzRequest, Operation } from './fuzz-requests.js';
import { runFuzz } from './fuzz-run.js';

/** The seed of the run: the same requests every time (set FLOTILLA_FUZZ_SEED to explore others). */
const SEED = Number(process.env.FLOTILLA_FUZZ_SEED ?? 20261202);

interface Fixtures {
  token: string;
  pathValues: Record<string, string[]>;
  hints: Map<string, unknown[]>;
}

/** Resources the hostile requests aim at, so they reach past "not found" into the real code. */
async function createFixtures(t: TestServer): Promise<Fixtures> {
  const client = api(t.server, t.token);
  // Fixture bodies are read for an id or a token only; `any` keeps that short (the fuzz run checks schemas).
  const created = async (url: string, body: unknown): Promise<any> => {
    const res = await client.post(url, body);
    if (res.status >= 300) throw new Error(`fixture ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  // An API token, not the session: `POST /auth/logout` among the requests must not end the run.
  const fuzzToken = await created('/api-tokens', { name: 'fuzz' });
  const victimToken = await created('/api-tokens', { name: 'fuzz-victim' });
  const enrollmentToken = await created('/enrollment-tokens', {});
  const agent = await enrollAgent(t.server, {
    token: await createEnrollmentToken(t.server, t.token),
    name: 'fuzz-agent',
  });
  const workflow = await created('/workflows', { document: WORKFLOW.replace('name: hello', 'name: fuzz') });
  const job = await created('/jobs', { workflow: WORKFLOW, target: { agent: 'fuzz-agent' } });
  await created('/secrets', { name: 'FUZZ_SECRET', value: 'fuzz value' });
  const team = await created('/teams', { name: 'fuzz-team' });
  const user = await created('/users', { username: 'fuzz-user', password: 'fuzz password 123' });
  await created('/projects', { name: 'fuzz-project' });
  return {
    token: fuzzToken.token as string,
    pathValues: {
      '/api/v1/jobs': [job.id],
      '/api/v1/agents': [agent.agentId],
      '/api/v1/workflows': [workflow.id],
      '/api/v1/workflows/{id}/versions': ['1'],
      '/api/v1/enrollment-tokens': [enrollmentToken.id],
      '/api/v1/api-tokens': [victimToken.id],
      '/api/v1/secrets': ['FUZZ_SECRET'],
      '/api/v1/teams': [team.id],
      '/git': ['default'],
      '/git/{tenant}': ['default'],
    },
    hints: new Map<string, unknown[]>([
      ['workflow', [WORKFLOW]],
      ['document', [WORKFLOW.replace('name: hello', 'name: fuzz')]],
      ['target', [{ agent: 'fuzz-agent' }]],
      ['userId', [user.id]],
      ['project', ['fuzz-project']],
      ['password', ['fuzz password 123']],
      ['username', ['fuzz-user']],
      ['token', [enrollmentToken.token]],
      ['publicKey', [newAgentKey().publicKey]],
      ['labels', [{ role: 'fuzz' }]],
      ['value', ['fuzz value']],
    ]),
  };
}

/** `/api/v1/jobs/{id}/logs` and `id` → the ids under `/api/v1/jobs`. */
function valuesFor(pathValues: Record<string, string[]>) {
  return (operation: Operation, parameter: string): readonly string[] => {
    const at = operation.path.indexOf(`{${parameter}}`);
    const prefix = operation.path.slice(0, Math.max(0, at - 1)).replace(/\.git$/, '');
    return pathValues[prefix] ?? [];
  };
}

/** Destructive operations last (and logout at the very end), so the others meet live fixtures. */
function order(operation: Operation): number {
  if (operation.path.endsWith('/auth/logout')) return 3;
  if (operation.method === 'DELETE') return 2;
  if (operation.path.includes('/revoke') || operation.path.includes('/disable') || operation.path.includes('/reject'))
    return 1;
  return 0;
}

describe.each(DIALECTS)('API fuzz run over every documented operation [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let baseUrl: string;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url, logLevel: 'fatal' });
    baseUrl = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  it('gets no 5xx, only problem documents for errors, and documented bodies for the rest', async () => {
    const fixtures = await createFixtures(t);
    const document = (await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()) as Record<string, unknown>;
    const operations = operationsOf(document).sort((a, b) => order(a) - order(b));
    const random = seededRandom(SEED);
    const requests: FuzzRequest[] = operations.flatMap((operation) =>
      requestsFor(operation, { values: { random, hints: fixtures.hints }, pathValues: valuesFor(fixtures.pathValues) }),
    );
    const report = await runFuzz(requests, {
      baseUrl,
      token: fixtures.token,
      contracts: [...listRoutes(apiRoutes), ...listRoutes(platformRoutes)].map((r) => r.contract),
      timeoutMs: 15_000,
      concurrency: 4,
    });
    const classes = Object.entries(report.byClass)
      .sort()
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    console.log(
      `fuzz [${dialect}] seed ${SEED}: ${report.requests} requests over ${operations.length} operations in ${report.ms} ms — ${classes}; ` +
        `violations ${report.violations.length}`,
    );
    // FLOTILLA_FUZZ_REPORT=<file>: every violation, for a closer look than the assertion shows.
    const reportFile = process.env.FLOTILLA_FUZZ_REPORT;
    if (reportFile !== undefined) await writeFile(`${reportFile}.${dialect}.json`, JSON.stringify(report, null, 1));
    expect(report.requests).toBeGreaterThan(operations.length * 10);
    expect(report.violations, JSON.stringify(report.violations.slice(0, 40), null, 1)).toEqual([]);
  }, 180_000);
});
