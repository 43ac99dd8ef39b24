import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSchema } from '@flotilla/protocol';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api, WORKFLOW } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import { recordAgentEvent } from '../../src/jobs/agent-event-store.js';
import { openStore } from '../../src/store/store.js';
import { parseDatabaseUrl } from '../../src/options/database-url.js';

describe.each(DIALECTS)('jobs [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let client: ReturnType<typeof api>;
  let agentId: string;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    client = api(t.server, t.token);
    agentId = (await enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token), name: 'runner-1' }))
      .agentId;
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  it('accepts a job for an agent by name or id, persisted and queued while the agent is offline', async () => {
    for (const target of ['runner-1', agentId]) {
      const res = await client.post('/jobs', { workflow: WORKFLOW, target: { agent: target } });
      expect(res.status).toBe(201);
      const job = JobSchema.parse(res.body);
      expect(job).toMatchObject({
        state: 'queued',
        workflowName: 'hello',
        runs: [{ agent: 'runner-1', agentId, state: 'queued' }],
      });
      expect(job.id).toMatch(/^job_/);
      expect(job.runs[0]!.id).toMatch(/^run_/);
      // The one job in full: what the submission answered, and what it was started with.
      const { runs, ...head } = res.body;
      expect((await client.get(`/jobs/${job.id}`)).body).toEqual({
        ...head,
        runs: runs.map((run: object) => ({ ...run, batch: 0, steps: [] })),
        inputs: {},
        target: { agent: target },
        steps: [{ id: 'say', name: 'say', type: 'command', needs: [], finally: false }],
        rollout: null,
        finishedAt: null,
      });
    }
  });

  it('names a job with its workflow name resolved with the job inputs (placeholders), large documents too', async () => {
    const document = [
      'name: deploy-{{.ENVIRONMENT}}-${{ vars.app }}',
      'inputs: { ENVIRONMENT: { default: staging } }',
      'variables: { app: shop }',
      'tasks:',
      '  - { name: a, type: command, config: { command: echo } }',
    ].join('\n');
    // over the inline limit: validated in the worker, whose verdict carries what the name needs
    const large = `${document}\n${'# padding\n'.repeat(500)}`;
    for (const workflow of [document, large]) {
      const given = await client.post('/jobs', {
        workflow,
        target: { agent: 'runner-1' },
        inputs: { ENVIRONMENT: 'prod' },
      });
      expect(given.status).toBe(201);
      expect(given.body.workflowName).toBe('deploy-prod-shop');
      const defaulted = await client.post('/jobs', { workflow, target: { agent: 'runner-1' } });
      expect(defaulted.body.workflowName).toBe('deploy-staging-shop');
    }
    // inputs the agent will refuse leave the name as written
    const refused = await client.post('/jobs', {
      workflow: document,
      target: { agent: 'runner-1' },
      inputs: { ENVIRONMENT: 5 },
    });
    expect(refused.body.workflowName).toBe('deploy-{{.ENVIRONMENT}}-${{ vars.app }}');
  });

  it('unknown agent → 422 TARGET_NOT_FOUND', async () => {
    const res = await client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'ghost' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('TARGET_NOT_FOUND');
  });

  it('invalid workflow → 422 WORKFLOW_INVALID listing every problem with line and column', async () => {
    const cases: [string, [string, string, number, number][]][] = [
      ['- just a list', [['', 'INVALID_TYPE', 1, 1]]],
      [
        'description: no name',
        [
          ['name', 'MISSING_FIELD', 1, 1],
          ['', 'MISSING_FIELD', 1, 1],
        ],
      ],
      // step configs are checked at submit with the step catalogue, as the agent checks them
      [
        'name: x\nsteps:\n  - type: command\n  - name: b\n    type: command\n    config: {}',
        [
          ['steps[0].name', 'MISSING_FIELD', 3, 5],
          ['steps[0].config.command', 'MISSING_FIELD', 3, 5],
          ['steps[1].config.command', 'MISSING_FIELD', 6, 13],
        ],
      ],
      [
        'name: x\nsteps:\n  - { name: get, type: http, config: { method: GET } }',
        [['steps[0].config.url', 'MISSING_FIELD', 3, 38]],
      ],
      ['name: x\nsteps:\n  - { name: n, type: nosuch }', [['steps[0].type', 'UNKNOWN_STEP_TYPE', 3, 22]]],
    ];
    for (const [workflow, problems] of cases) {
      const res = await client.post('/jobs', { workflow, target: { agent: 'runner-1' } });
      expect(res.status, workflow).toBe(422);
      expect(res.body.code).toBe('WORKFLOW_INVALID');
      const got = res.body.errors.map((e: { path: string; code: string; line: number; column: number }) => [
        e.path,
        e.code,
        e.line,
        e.column,
      ]);
      expect(got, workflow).toEqual(problems);
    }
    const syntax = await client.post('/jobs', { workflow: 'tasks: [', target: { agent: 'runner-1' } });
    expect(syntax.body).toMatchObject({ code: 'WORKFLOW_INVALID', errors: [{ code: 'YAML_SYNTAX' }] });
    // `with` is an alias of `config`, `steps` of `tasks`, JSON is YAML.
    const json = JSON.stringify({ name: 'j', steps: [{ name: 'a', type: 'command', with: { command: 'true' } }] });
    expect((await client.post('/jobs', { workflow: json, target: { agent: 'runner-1' } })).status).toBe(201);
  });

  it('GET /jobs pages newest first; unknown job → 404 JOB_NOT_FOUND', async () => {
    const page = await client.get('/jobs?limit=1');
    expect(page.body.items).toHaveLength(1);
    const next = await client.get(`/jobs?limit=100&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((j: { id: string }) => j.id)).not.toContain(page.body.items[0].id);
    expect(Date.parse(page.body.items[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(next.body.items[0].createdAt));
    expect((await client.get('/jobs/job_nope')).body.code).toBe('JOB_NOT_FOUND');
    expect((await client.get('/jobs/job_nope/logs')).body.code).toBe('JOB_NOT_FOUND');
  });

  it('GET /jobs/:id/logs pages with after= and limit=', async () => {
    const job = (await client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'runner-1' } })).body;
    const runId = job.runs[0].id;
    // Logs normally arrive through the agent channel (covered by the hub tests); here they are
    // written through the same store function the hub uses, on a second connection.
    const config = parseDatabaseUrl(database.url, t.dataDir);
    if (typeof config === 'string') throw new Error(config);
    const store = await openStore(config);
    try {
      const base = (
        await store.db
          .selectFrom('agents')
          .select('acked_event_seq')
          .where('id', '=', agentId)
          .executeTakeFirstOrThrow()
      ).acked_event_seq;
      for (let i = 1; i <= 5; i++) {
        await recordAgentEvent(store, agentId, {
          seq: base + i,
          runId,
          event: { kind: 'log', ts: new Date().toISOString(), step: 'say', stream: 'stdout', line: `line ${i}` },
        });
      }
    } finally {
      await store.close();
    }
    const first = await client.get(`/jobs/${job.id}/logs?limit=2`);
    expect(first.body.items.map((l: { line: string }) => l.line)).toEqual(['line 1', 'line 2']);
    expect(first.body.items[0]).toMatchObject({ runId, step: 'say', stream: 'stdout', seq: 1 });
    expect(first.body.nextCursor).toBe('2');
    const rest = await client.get(`/jobs/${job.id}/logs?after=2`);
    expect(rest.body.items.map((l: { seq: number }) => l.seq)).toEqual([3, 4, 5]);
    expect(rest.body.nextCursor).toBeNull();
  });
});
