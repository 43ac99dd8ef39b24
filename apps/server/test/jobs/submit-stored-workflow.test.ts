/**
 * `POST /jobs {workflowId, version?}`: a stored workflow runs at the version asked for (its
 * latest by default), within the caller's project; the request names exactly one document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { api } from '../helpers/api.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';

const document = (name: string): string =>
  `name: ${name}\ntasks:\n  - { name: say, type: command, config: { command: echo, args: [hi] } }\n`;

describe.each(DIALECTS)('POST /jobs with a stored workflow [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  let client: ReturnType<typeof api>;
  let workflowId: string;
  const target = { agent: 'stored-runner' };

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
    client = api(t.server, t.token);
    await enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token), name: 'stored-runner' });
    const created = await client.post('/workflows', { document: document('stored-one') });
    expect(created.status).toBe(201);
    workflowId = created.body.id;
    // version 2 renames the workflow, so a job's name tells which version it ran
    const updated = await t.server.app.inject({
      method: 'PUT',
      url: `/api/v1/workflows/${workflowId}`,
      headers: { authorization: `Bearer ${t.token}` },
      payload: { document: document('stored-two') },
    });
    expect(updated.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await database?.cleanup();
  });

  it('runs the latest version by default, or the version asked for, and audits which', async () => {
    const latest = await client.post('/jobs', { workflowId, target });
    expect(latest.status).toBe(201);
    expect(latest.body.workflowName).toBe('stored-two');
    expect(latest.body).toMatchObject({ workflowId, workflowVersion: 2 });
    const first = await client.post('/jobs', { workflowId, version: 1, target });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ workflowName: 'stored-one', workflowId, workflowVersion: 1 });
    const audit = await client.get('/audit?action=job.create');
    const entry = audit.body.items.find((e: { objectId: string }) => e.objectId === first.body.id);
    expect(entry.change).toMatchObject({ workflow: 'stored-one', workflowId, version: 1 });
  });

  it('records the version asked for, even when a newer version has the same text', async () => {
    const restored = await client.post(`/workflows/${workflowId}/versions/1/restore`);
    expect(restored.body.version).toBe(3);
    const first = await client.post('/jobs', { workflowId, version: 1, target });
    expect(first.body).toMatchObject({ workflowName: 'stored-one', workflowVersion: 1 });
    const latest = await client.post('/jobs', { workflowId, target });
    expect(latest.body).toMatchObject({ workflowName: 'stored-one', workflowVersion: 3 });
  });

  it('answers 404 for a workflow or a version that does not exist', async () => {
    const noWorkflow = await client.post('/jobs', { workflowId: 'wf_missing', target });
    expect(noWorkflow.status).toBe(404);
    expect(noWorkflow.body.code).toBe('WORKFLOW_NOT_FOUND');
    const noVersion = await client.post('/jobs', { workflowId, version: 9, target });
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.code).toBe('NOT_FOUND');
  });

  it('takes exactly one of workflow and workflowId, and version only with workflowId', async () => {
    for (const body of [
      { target },
      { workflow: document('both'), workflowId, target },
      { workflow: document('versioned'), version: 1, target },
    ]) {
      const res = await client.post('/jobs', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('does not run a deleted workflow', async () => {
    const created = await client.post('/workflows', { document: document('stored-gone') });
    expect((await client.delete(`/workflows/${created.body.id}`)).status).toBe(204);
    const res = await client.post('/jobs', { workflowId: created.body.id, target });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('WORKFLOW_NOT_FOUND');
  });
});
