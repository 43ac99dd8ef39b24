import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '@flotilla/protocol';
import { DIALECTS, createTestDatabase, dialectAvailable } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { LogCollector, startTestServer } from '../helpers/server.js';
import { createLogger } from '../../src/logger.js';
import type { TestServer } from '../helpers/server.js';
import { WORKFLOW, api } from '../helpers/api.js';
import { documentVerdict } from '../../src/workflows/document-verdict.js';
import { resolveRunSecrets } from '../../src/secrets/secret-repo.js';
import { generateMasterKey, readMasterKeyFile } from '../../src/secrets/master-key.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore } from './open-test-store.js';

const VALUE = 'pa55-Wörd_that-must-never-leak-7f3a9c';

describe.each(DIALECTS)('secrets API [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) return;
  let db: TestDatabase;
  let t: TestServer;
  let store: Store;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: db.url });
    store = await openTestStore(db.url);
  });
  afterAll(async () => {
    await store.close();
    await t.close();
    await db.cleanup();
  });

  const scope = async () => {
    const me = await store.db
      .selectFrom('projects')
      .innerJoin('tenants', 'tenants.id', 'projects.tenant_id')
      .select(['tenants.id as tenantId', 'projects.id as projectId'])
      .where('tenants.name', '=', 'default')
      .where('projects.name', '=', 'default')
      .executeTakeFirstOrThrow();
    return me;
  };

  it('creates (201) and replaces (200) a secret without ever returning its value', async () => {
    const client = api(t.server, t.token);
    const created = await client.post('/secrets', { name: 'DB_PASSWORD', value: VALUE });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      name: 'DB_PASSWORD',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      updatedBy: 'admin',
    });
    const replaced = await client.post('/secrets', { name: 'DB_PASSWORD', value: `${VALUE}-2` });
    expect(replaced.status).toBe(200);
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    const list = await client.get('/secrets');
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { name: string }) => s.name)).toEqual(['DB_PASSWORD']);
    for (const res of [created, replaced, list]) expect(JSON.stringify(res.body)).not.toContain(VALUE);
  });

  it('stores only ciphertext: the value is nowhere in the row', async () => {
    const rows = await store.db.selectFrom('secrets').selectAll().execute();
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(JSON.stringify(row)).not.toContain(VALUE);
    expect(Buffer.from(row.ciphertext, 'base64').toString('utf8')).not.toContain(VALUE);
    expect(row.key_id).toBe(readMasterKeyFile(`${t.dataDir}/master.key`)?.id);
  });

  it('never logs the value and audits only the name', async () => {
    await api(t.server, t.token).post('/secrets', { name: 'API_KEY', value: VALUE });
    expect(t.logs.text()).toContain('secret set');
    expect(t.logs.text()).not.toContain(VALUE);
    const audit = await store.db.selectFrom('audit_events').selectAll().where('action', 'like', 'secret.%').execute();
    expect(audit.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(audit)).not.toContain(VALUE);
    expect(JSON.parse(audit[0]!.change)).toEqual({ name: 'DB_PASSWORD', created: true });
  });

  it('a malformed body carrying a value does not echo it in the response or the logs', async () => {
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/secrets',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: `{"name":"BROKEN","value":"${VALUE}"`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain(VALUE);
    expect(t.logs.text()).not.toContain(VALUE);
  });

  it('the logger redacts a secret value wherever a body is logged', () => {
    const logs = new LogCollector();
    const logger = createLogger({ logLevel: 'info', logDestination: logs });
    logger.info({ body: { name: 'X', value: VALUE }, req: { body: { value: VALUE } }, masterKey: VALUE }, 'oops');
    expect(logs.text()).toContain('oops');
    expect(logs.text()).not.toContain(VALUE);
  });

  it('rejects bad names, oversized values and unknown fields (VALIDATION_FAILED)', async () => {
    const client = api(t.server, t.token);
    for (const body of [
      { name: 'lower', value: 'x' },
      { name: '1STARTS_WITH_DIGIT', value: 'x' },
      { name: `A${'B'.repeat(64)}`, value: 'x' },
      { name: 'OK', value: 'x'.repeat(64 * 1024 + 1) },
      { name: 'OK', value: 'x', extra: true },
      { name: 'OK' },
    ]) {
      const res = await client.post('/secrets', body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await client.post('/secrets', { name: 'MAX_SIZE', value: 'x'.repeat(64 * 1024) })).status).toBe(201);
  });

  it('deletes a secret (204) and answers 404 for an unknown one', async () => {
    const client = api(t.server, t.token);
    expect((await client.delete('/secrets/MAX_SIZE')).status).toBe(204);
    const again = await client.delete('/secrets/MAX_SIZE');
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('NOT_FOUND');
    expect((await client.delete('/secrets/not-a-name')).body.code).toBe('VALIDATION_FAILED');
  });

  it('resolves exactly the declared secrets for a run, SECRET_NOT_FOUND for a missing one', async () => {
    const masterKey = readMasterKeyFile(`${t.dataDir}/master.key`)!;
    const values = await resolveRunSecrets({ db: store.db, masterKey, scope: await scope(), names: ['API_KEY'] });
    expect(values).toEqual({ API_KEY: VALUE });
    const missing = await resolveRunSecrets({
      db: store.db,
      masterKey,
      scope: await scope(),
      names: ['API_KEY', 'NOPE', 'NOPE_2'],
    }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FlotillaError);
    expect((missing as FlotillaError).code).toBe('SECRET_NOT_FOUND');
    expect((missing as FlotillaError).status).toBe(422);
    expect((missing as FlotillaError).errors?.map((e) => e.path)).toEqual(['secrets.NOPE', 'secrets.NOPE_2']);
    // Another project's scope sees nothing.
    const other = await resolveRunSecrets({
      db: store.db,
      masterKey,
      scope: { ...(await scope()), projectId: 'prj_other' },
      names: ['API_KEY'],
    }).catch((e: unknown) => e);
    expect((other as FlotillaError).code).toBe('SECRET_NOT_FOUND');
  });

  it('reads the secret names a workflow declares once, at submit (stored with the job)', () => {
    const workflowText =
      'name: uses-secret\nsecrets: [API_KEY, DB_PASSWORD]\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [hi] }\n';
    expect(documentVerdict(workflowText)).toMatchObject({ ok: true, secrets: ['API_KEY', 'DB_PASSWORD'] });
    expect(documentVerdict(WORKFLOW)).toMatchObject({ ok: true, secrets: [] });
  });

  it('refuses a job whose workflow declares a missing secret (422 SECRET_NOT_FOUND)', async () => {
    const workflow =
      'name: needs-secret\nsecrets: [NOT_THERE]\ntasks:\n  - name: say\n    type: command\n    config: { command: echo, args: [hi] }\n';
    const res = await api(t.server, t.token).post('/jobs', { workflow, target: { agent: 'ghost' } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('SECRET_NOT_FOUND');
  });

  it('a wrong master key is a clear MASTER_KEY_MISMATCH, not garbage', async () => {
    const wrong = generateMasterKey();
    const err = await resolveRunSecrets({
      db: store.db,
      masterKey: wrong,
      scope: await scope(),
      names: ['API_KEY'],
    }).catch((e: unknown) => e);
    expect((err as FlotillaError).code).toBe('MASTER_KEY_MISMATCH');
  });
});
