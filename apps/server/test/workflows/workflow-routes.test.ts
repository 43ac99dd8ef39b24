import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WorkflowDetailSchema,
  WorkflowValidationSchema,
  WorkflowVersionSchema,
  pageSchema,
  WorkflowSchema,
  WorkflowVersionSummarySchema,
} from '@flotilla/protocol';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';

const doc = (name: string, message: string): string =>
  `name: ${name}\ndescription: says ${message}\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [${message}] }\n`;

describe.each(DIALECTS)('workflows API [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let t: TestServer;
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>) => {
    const res = await t.server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${t.token}` },
      ...(payload === undefined ? {} : { payload }),
    });
    // Response shapes vary per call; the schemas are asserted where it matters.
    const body: any = res.body === '' ? undefined : res.json();
    return { status: res.statusCode, body };
  };
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await t.close();
    await database.cleanup();
  });

  it('creates, versions, diffs, restores and deletes a workflow', async () => {
    const created = await call('POST', '/workflows', { document: doc('greet', 'one') });
    expect(created.status).toBe(201);
    const v1 = WorkflowDetailSchema.parse(created.body);
    expect(v1).toMatchObject({
      name: 'greet',
      version: 1,
      description: 'says one',
      updatedBy: 'admin',
      document: doc('greet', 'one'),
    });
    expect(v1.id).toMatch(/^wfl_/);

    const dup = await call('POST', '/workflows', { document: doc('greet', 'other') });
    expect([dup.status, dup.body.code]).toEqual([409, 'CONFLICT']);

    const v2 = await call('PUT', `/workflows/${v1.id}`, { document: doc('greet', 'two') });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, document: doc('greet', 'two') });
    expect((await call('GET', `/workflows/${v1.id}`)).body).toMatchObject({
      version: 2,
      document: doc('greet', 'two'),
    });

    const diff = await call('GET', `/workflows/${v1.id}/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ from: 1, to: 2 });
    expect(diff.body.diff).toContain('--- v1');
    expect(diff.body.diff).toContain('-    config: { command: echo, args: [one] }');
    expect(diff.body.diff).toContain('+    config: { command: echo, args: [two] }');
    expect((await call('GET', `/workflows/${v1.id}/diff?from=2`)).body.diff).toBe('');

    const restored = await call('POST', `/workflows/${v1.id}/versions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, document: doc('greet', 'one') });

    const versions = pageSchema(WorkflowVersionSummarySchema).parse(
      (await call('GET', `/workflows/${v1.id}/versions`)).body,
    );
    expect(versions.items.map((v) => [v.version, v.change, v.restoredFrom])).toEqual([
      [3, 'restore', 1],
      [2, 'update', null],
      [1, 'create', null],
    ]);
    const paged = await call('GET', `/workflows/${v1.id}/versions?limit=2`);
    expect(paged.body.items).toHaveLength(2);
    const rest = await call('GET', `/workflows/${v1.id}/versions?limit=2&cursor=${String(paged.body.nextCursor)}`);
    expect(rest.body.items.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(rest.body.nextCursor).toBeNull();
    expect(WorkflowVersionSchema.parse((await call('GET', `/workflows/${v1.id}/versions/2`)).body).document).toBe(
      doc('greet', 'two'),
    );
    expect((await call('GET', `/workflows/${v1.id}/versions/9`)).status).toBe(404);

    const list = pageSchema(WorkflowSchema).parse((await call('GET', '/workflows')).body);
    expect(list.items.map((w) => [w.name, w.version])).toContainEqual(['greet', 3]);

    expect((await call('DELETE', `/workflows/${v1.id}`)).status).toBe(204);
    expect((await call('GET', `/workflows/${v1.id}`)).body.code).toBe('WORKFLOW_NOT_FOUND');
    expect((await call('PUT', `/workflows/${v1.id}`, { document: doc('greet', 'x') })).body.code).toBe(
      'WORKFLOW_NOT_FOUND',
    );
    // The name is free again once the workflow is deleted.
    expect((await call('POST', '/workflows', { document: doc('greet', 'again') })).status).toBe(201);
  });

  it('refuses a rename onto a live workflow name (409) and allows a free one', async () => {
    const a = (await call('POST', '/workflows', { document: doc('alpha', 'a') })).body;
    await call('POST', '/workflows', { document: doc('beta', 'b') });
    const clash = await call('PUT', `/workflows/${String(a.id)}`, { document: doc('beta', 'a2') });
    expect([clash.status, clash.body.code]).toEqual([409, 'CONFLICT']);
    const renamed = await call('PUT', `/workflows/${String(a.id)}`, { document: doc('gamma', 'a2') });
    expect(renamed.body).toMatchObject({ name: 'gamma', version: 2 });
  });

  it('rejects invalid documents with 422 WORKFLOW_INVALID and line/column, and validates without saving', async () => {
    const bad =
      'name: broken\ntasks:\n  - name: a\n    type: command\n    needs: [ghost]\n    config: { command: "true" }\n';
    const res = await call('POST', '/workflows', { document: bad });
    expect([res.status, res.body.code]).toEqual([422, 'WORKFLOW_INVALID']);
    expect(res.body.errors[0]).toMatchObject({ line: 5, code: 'UNKNOWN_STEP_REFERENCE' });
    expect(typeof res.body.errors[0].column).toBe('number');
    expect((await call('POST', '/workflows', { document: 'tasks: [' })).body.code).toBe('WORKFLOW_INVALID');
    expect((await call('POST', '/workflows', { document: doc('x', 'y'), extra: 1 })).body.code).toBe(
      'VALIDATION_FAILED',
    );

    const check = WorkflowValidationSchema.parse((await call('POST', '/workflows/validate', { document: bad })).body);
    expect(check.ok).toBe(false);
    expect(check.problems.map((p) => p.code)).toEqual(['UNKNOWN_STEP_REFERENCE']);
    expect((await call('POST', '/workflows/validate', { document: doc('fine', 'ok') })).body).toEqual({
      ok: true,
      problems: [],
      warnings: [],
    });
    const names = ((await call('GET', '/workflows')).body.items as { name: string }[]).map((w) => w.name);
    expect(names).not.toContain('broken');
  });

  it('audits every change', async () => {
    const w = (await call('POST', '/workflows', { document: doc('audited', 'one') })).body;
    await call('PUT', `/workflows/${String(w.id)}`, { document: doc('audited', 'two') });
    await call('POST', `/workflows/${String(w.id)}/versions/1/restore`);
    await call('DELETE', `/workflows/${String(w.id)}`);
    const audit = await call('GET', '/audit?limit=1000');
    expect(audit.status).toBe(200);
    const actions = (audit.body.items as { action: string; objectId: string | null }[])
      .filter((e) => e.objectId === w.id)
      .map((e) => e.action);
    expect(actions.sort()).toEqual(['workflow.create', 'workflow.delete', 'workflow.restore', 'workflow.update']);
  });
});
