import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, createTestDatabase, dialectAvailable } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ADMIN_PASSWORD, startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';
import { WORKFLOW, api } from '../helpers/api.js';
import { createEnrollmentToken, enrollAgent } from '../helpers/test-agent.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { computeAuditHash } from '../../src/audit/audit-hash.js';
import { hashPassword } from '../../src/auth/password.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore } from '../secrets/open-test-store.js';

describe.each(DIALECTS)('audit chain [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) return;
  let db: TestDatabase;
  let t: TestServer;
  let store: Store;
  let tenantId: string;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    t = await startTestServer({ databaseUrl: db.url });
    store = await openTestStore(db.url);
    tenantId = (
      await store.db.selectFrom('tenants').select('id').where('name', '=', 'default').executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => {
    await store.close();
    await t.close();
    await db.cleanup();
  });

  const actions = async () =>
    (
      await store.db
        .selectFrom('audit_events')
        .select('action')
        .where('tenant_id', '=', tenantId)
        .orderBy('seq')
        .execute()
    ).map((r) => r.action);
  const verify = async () =>
    (await api(t.server, t.token).get('/audit/verify')).body as { ok: boolean; checked: number; firstBadSeq?: number };

  it('records every mutation and auth event with actor, object, change and source', async () => {
    const client = api(t.server, t.token);
    const before = (await actions()).length;
    const login = (password: string) =>
      t.server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'admin', password },
        remoteAddress: '10.1.2.3',
      });
    expect((await login('wrong password')).statusCode).toBe(401);
    await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ghost', password: 'x' },
      remoteAddress: '10.1.2.3',
    });
    const session = (await login(ADMIN_PASSWORD)).json<{ token: string }>().token;
    expect((await api(t.server, session).post('/auth/logout')).status).toBe(204);

    const token = await createEnrollmentToken(t.server, t.token, { policy: 'require-approval', uses: 2 });
    const agent = await enrollAgent(t.server, { token, name: 'audited-agent' });
    expect((await client.post(`/agents/${agent.agentId}/approve`)).status).toBe(200);
    expect((await client.post(`/agents/${agent.agentId}/revoke`)).status).toBe(200);
    const tokens = (await client.get('/enrollment-tokens')).body.items as { id: string }[];
    expect((await client.delete(`/enrollment-tokens/${tokens[0]!.id}`)).status).toBe(204);
    await client.post('/secrets', { name: 'AUDITED', value: 's3cr3t-value-xyz' });
    await client.delete('/secrets/AUDITED');

    expect((await actions()).slice(before)).toEqual([
      'auth.login_failed',
      'auth.login_failed',
      'auth.login',
      'auth.logout',
      'enrollment_token.create',
      'agent.enroll',
      'agent.approve',
      'agent.revoke',
      'enrollment_token.revoke',
      'secret.set',
      'secret.delete',
    ]);
    const page = await client.get('/audit?limit=200');
    expect(page.status).toBe(200);
    const items = page.body.items as {
      action: string;
      actor: string;
      actorName: string | null;
      source: string | null;
      objectId: string | null;
      change: unknown;
    }[];
    const failed = items.find((e) => e.action === 'auth.login_failed' && e.actorName === 'ghost');
    expect(failed).toMatchObject({ actor: 'anonymous', source: '10.1.2.3', objectId: null });
    expect(items.find((e) => e.action === 'agent.enroll')).toMatchObject({
      actor: `agent:${agent.agentId}`,
      actorName: 'audited-agent',
      objectId: agent.agentId,
    });
    expect(items.find((e) => e.action === 'agent.approve')).toMatchObject({
      actorName: 'admin',
      objectId: agent.agentId,
    });
    expect(items.find((e) => e.action === 'secret.set')?.change).toEqual({ name: 'AUDITED', created: true });
    expect(JSON.stringify(items)).not.toContain('s3cr3t-value-xyz');
    expect(JSON.stringify(items)).not.toContain(ADMIN_PASSWORD);
    expect(JSON.stringify(items)).not.toContain(token);
  });

  it('records job create, cancel and rerun', async () => {
    const client = api(t.server, t.token);
    await enrollAgent(t.server, { token: await createEnrollmentToken(t.server, t.token), name: 'job-runner' });
    const job = await client.post('/jobs', { workflow: WORKFLOW, target: { agent: 'job-runner' } });
    expect(job.status).toBe(201);
    expect((await client.post(`/jobs/${job.body.id}/cancel`)).status).toBe(202);
    const rerun = await client.post(`/jobs/${job.body.id}/rerun`, {});
    expect(rerun.status).toBe(201);
    const jobEvents = (await client.get('/audit?action=job')).body.items as {
      action: string;
      objectId: string;
      change: Record<string, unknown>;
    }[];
    expect(jobEvents.map((e) => e.action)).toEqual(['job.rerun', 'job.cancel', 'job.create']);
    expect(jobEvents[0]).toMatchObject({ objectId: rerun.body.id, change: { rerunOf: job.body.id } });
    expect(jobEvents[2]).toMatchObject({ objectId: job.body.id, change: { workflow: 'hello' } });
  });

  it('filters by action, actor, object and time; pages with a cursor', async () => {
    const client = api(t.server, t.token);
    const failed = (await client.get('/audit?action=auth.login_failed')).body.items as { action: string }[];
    expect(failed.length).toBe(2);
    expect((await client.get('/audit?action=agent')).body.items.map((e: { action: string }) => e.action)).toEqual([
      'agent.enroll',
      'agent.revoke',
      'agent.approve',
      'agent.enroll',
    ]);
    expect((await client.get('/audit?actor=ghost')).body.items).toHaveLength(1);
    expect((await client.get('/audit?object=secret:AUDITED')).body.items).toHaveLength(2);
    expect((await client.get('/audit?object=secret')).body.items).toHaveLength(2);
    expect(
      (await client.get(`/audit?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.items,
    ).toHaveLength(0);
    const first = (await client.get('/audit?limit=3')).body as { items: { seq: number }[]; nextCursor: string };
    const second = (await client.get(`/audit?limit=3&cursor=${first.nextCursor}`)).body as { items: { seq: number }[] };
    expect(second.items[0]!.seq).toBe(first.items[2]!.seq - 1);
    expect((await client.get('/audit?cursor=garbage')).body.code).toBe('VALIDATION_FAILED');
    expect((await client.get('/audit?bogus=1')).body.code).toBe('VALIDATION_FAILED');
  });

  it('is for admins only: a member gets 403 FORBIDDEN on every audit route', async () => {
    await store.db
      .insertInto('users')
      .values({
        id: 'usr_member',
        tenant_id: tenantId,
        username: 'member',
        password_hash: await hashPassword('member password'),
        role: 'member',
        created_at: new Date().toISOString(),
      })
      .execute();
    const login = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'member', password: 'member password' },
    });
    const member = api(t.server, login.json<{ token: string }>().token);
    for (const url of ['/audit', '/audit/export', '/audit/verify']) {
      const res = await member.get(url);
      expect(res.status, url).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  it('exports every record as JSON lines in chain order', async () => {
    const res = await t.server.app.inject({
      method: 'GET',
      url: '/api/v1/audit/export',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; prevHash: string; hash: string });
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.prevHash).toBe(lines[i - 1]!.hash);
  });

  it('keeps the chain linear under concurrent writers', async () => {
    const log = new AuditLog(store);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        log.record({
          tenantId,
          actor: { id: 'system', name: null },
          action: 'job.create',
          objectType: 'job',
          objectId: `job_${i}`,
          source: null,
        }),
      ),
    );
    // Interleave with the server's own writer (a second connection pool).
    await Promise.all([
      log.record({
        tenantId,
        actor: { id: 'system', name: null },
        action: 'job.cancel',
        objectType: 'job',
        objectId: 'job_x',
        source: null,
      }),
      api(t.server, t.token).post('/secrets', { name: 'CONCURRENT', value: 'v' }),
    ]);
    expect(await verify()).toEqual({ ok: true, checked: (await actions()).length });
  });

  describe('tampering is detected', () => {
    type Row = Awaited<ReturnType<typeof rowAt>>;
    const rowAt = (seq: number) =>
      store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
    const restore = async (row: Row) => {
      await store.db.deleteFrom('audit_events').where('id', '=', row.id).execute();
      await store.db.insertInto('audit_events').values(row).execute();
    };

    it('verify is ok before any tampering', async () => {
      const result = await verify();
      expect(result.ok).toBe(true);
      expect(result.checked).toBeGreaterThan(10);
    });

    it("an edited row's change", async () => {
      const original = await rowAt(3);
      await store.db
        .updateTable('audit_events')
        .set({ change: '{"forged":true}' })
        .where('id', '=', original.id)
        .execute();
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 3 });
      // Recomputing the edited row's own hash does not help: the next link breaks.
      const { hash: _hash, ...fields } = { ...original, change: '{"forged":true}' };
      await store.db
        .updateTable('audit_events')
        .set({ hash: computeAuditHash(fields) })
        .where('id', '=', original.id)
        .execute();
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 4 });
      await store.db
        .updateTable('audit_events')
        .set({ change: original.change, hash: original.hash })
        .where('id', '=', original.id)
        .execute();
      expect((await verify()).ok).toBe(true);
    });

    it('a deleted row, in the middle or at the end', async () => {
      const middle = await rowAt(5);
      await store.db.deleteFrom('audit_events').where('id', '=', middle.id).execute();
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: 5 });
      await restore(middle);
      const lastSeq = (await actions()).length;
      const last = await rowAt(lastSeq);
      await store.db.deleteFrom('audit_events').where('id', '=', last.id).execute();
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: lastSeq });
      await restore(last);
      expect((await verify()).ok).toBe(true);
    });

    it('a forged row inserted at the end, even with a correctly computed hash', async () => {
      const lastSeq = (await actions()).length;
      const last = await rowAt(lastSeq);
      const fields = {
        ...last,
        id: 'aud_forged',
        seq: lastSeq + 1,
        action: 'secret.delete',
        change: '{}',
        prev_hash: last.hash,
      };
      const { hash: _hash, ...hashed } = fields;
      await store.db
        .insertInto('audit_events')
        .values({ ...fields, hash: computeAuditHash(hashed) })
        .execute();
      expect(await verify()).toMatchObject({ ok: false, firstBadSeq: lastSeq + 1 });
      await store.db.deleteFrom('audit_events').where('id', '=', 'aud_forged').execute();
      expect((await verify()).ok).toBe(true);
    });
  });
});
