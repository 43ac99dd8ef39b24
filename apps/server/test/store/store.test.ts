import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '@flotilla/protocol';
import { openStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/store.js';
import { parseDatabaseUrl } from '../../src/options/database-url.js';
import { bootstrapFirstStart } from '../../src/bootstrap/first-start.js';
import {
  createEnrollmentToken,
  consumeEnrollmentToken,
  listEnrollmentTokens,
} from '../../src/agents/enrollment-token-repo.js';
import { enrollAgent } from '../../src/agents/enroll-agent.js';
import { approveAgent } from '../../src/agents/approve-agent.js';
import { findTrustedAgentByName, getAgent } from '../../src/agents/agent-repo.js';
import { listAgents } from '../../src/agents/agent-list.js';
import { createJob, getJob } from '../../src/jobs/job-repo.js';
import { readJobLogs as getJobLogs } from '../../src/logs/log-chunks.js';
import { recordAgentEvent } from '../../src/jobs/agent-event-store.js';
import { offersForAgent, transitionRun } from '../../src/jobs/run-repo.js';
import { createSession, findSessionByToken } from '../../src/auth/session-repo.js';
import { findUserByUsername } from '../../src/auth/user-repo.js';
import type { Scope } from '../../src/store/scope.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { newAgentKey, signedEnrollment } from '../helpers/test-agent.js';
import { defaultScope, oneRunJob } from '../helpers/store-rows.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const facts = { hostname: 'h', os: 'linux', arch: 'x64', agentVersion: '0.1.0' };

describe.each(DIALECTS)('store [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let database: TestDatabase;
  let store: Store;
  let scope: Scope;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const config = parseDatabaseUrl(database.url, process.cwd());
    if (typeof config === 'string') throw new Error(config);
    store = await openStore(config);
    const boot = await bootstrapFirstStart(store.db, store.dialect, null);
    expect(boot.adminPasswordGenerated).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    scope = await defaultScope(store.db);
  });
  afterAll(async () => {
    await store.close();
    await database.cleanup();
  });

  async function token(policy: 'auto-approve' | 'require-approval' = 'auto-approve', uses = 5): Promise<string> {
    return (
      await createEnrollmentToken(store.db, scope, { uses, expiresIn: 60_000, labels: { env: 'test' }, policy }, null)
    ).token;
  }

  it('runs on the expected dialect and migrations are idempotent', async () => {
    expect(store.dialect.name).toBe(dialect);
    const config = parseDatabaseUrl(database.url, process.cwd());
    if (typeof config === 'string') throw new Error(config);
    const again = await openStore(config);
    await again.close();
  });

  it('bootstrap is idempotent and creates an argon2id owner', async () => {
    expect((await bootstrapFirstStart(store.db, store.dialect, 'another-password')).adminPasswordGenerated).toBeNull();
    const users = await store.db.selectFrom('users').selectAll().execute();
    expect(users).toHaveLength(1);
    expect(users[0]!.role).toBe('owner');
    expect(users[0]!.password_hash.startsWith('$argon2id$')).toBe(true);
  });

  it('stores sessions hashed and resolves them with tenant and project', async () => {
    const user = (await findUserByUsername(store.db, 'admin'))!;
    const session = await createSession(store.db, user, 60_000);
    const row = await store.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).not.toContain(session.token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const principal = await findSessionByToken(store.db, session.token);
    expect(principal).toMatchObject({ userId: user.id, tenantName: 'default', projectId: scope.projectId });
    expect(await findSessionByToken(store.db, `${session.token}x`)).toBeUndefined();
    const expired = await createSession(store.db, user, -1000);
    expect(await findSessionByToken(store.db, expired.token)).toBeUndefined();
  });

  it('spends enrollment token uses exactly, even concurrently', async () => {
    const secret = await token('auto-approve', 3);
    const results = await Promise.all(Array.from({ length: 6 }, () => consumeEnrollmentToken(store.db, secret)));
    expect(results.filter((r) => r !== undefined)).toHaveLength(3);
    expect(await consumeEnrollmentToken(store.db, secret)).toBeUndefined();
  });

  it('paginates with cursors, newest first, times as RFC 3339', async () => {
    for (let i = 0; i < 3; i++) await token();
    const first = await listEnrollmentTokens(store.db, scope, { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    expect(first.items[0]!.createdAt).toMatch(RFC3339);
    const rest = await listEnrollmentTokens(store.db, scope, { limit: 100, cursor: first.nextCursor! });
    const ids = [...first.items, ...rest.items].map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rest.nextCursor).toBeNull();
    await expect(listEnrollmentTokens(store.db, scope, { limit: 2, cursor: 'garbage' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('enrols, re-enrols with the same key, and keeps the trusted key on a key change', async () => {
    const key = newAgentKey();
    const first = await enrollAgent(
      store.db,
      store.dialect,
      signedEnrollment({ token: await token(), key, name: 'web-1', labels: { role: 'web' }, facts }),
    );
    expect(first.status).toBe('approved');
    expect(first.agentId).toMatch(/^agt_[A-Za-z0-9_-]{16}$/);
    const again = await enrollAgent(
      store.db,
      store.dialect,
      signedEnrollment({ token: await token(), key, name: 'web-1', labels: {}, facts }),
    );
    // The trusted key enrolling again gets its id back and changes nothing (labels stay).
    expect(again).toEqual({ agentId: first.agentId, status: 'approved', outcome: 'unchanged', labels: null, scope });
    expect((await getAgent(store.db, scope, first.agentId))!.labels).toBe(JSON.stringify({ env: 'test', role: 'web' }));

    const other = newAgentKey();
    const change = await enrollAgent(
      store.db,
      store.dialect,
      signedEnrollment({ token: await token(), key: other, name: 'web-1', labels: {}, facts }),
    );
    expect(change.status).toBe('pending');
    expect(change.agentId).not.toBe(first.agentId);
    expect((await findTrustedAgentByName(store.db, scope, 'web-1'))!.public_key).toBe(key.publicKey);
    // A third key updates the same pending request instead of piling up records.
    const third = newAgentKey();
    const change2 = await enrollAgent(
      store.db,
      store.dialect,
      signedEnrollment({ token: await token(), key: third, name: 'web-1', labels: {}, facts }),
    );
    expect(change2.agentId).toBe(change.agentId);

    const approved = await approveAgent(store.db, scope, change.agentId);
    expect(approved.disconnect).toEqual([first.agentId]);
    expect((await findTrustedAgentByName(store.db, scope, 'web-1'))!.public_key).toBe(third.publicKey);
    expect((await getAgent(store.db, scope, first.agentId))!.approval).toBe('revoked');
    const labels = (await listAgents(store.db, store.dialect, scope, { limit: 100, sort: 'name' })).items.find(
      (a) => a.id === change.agentId,
    )!.labels;
    expect(labels).toEqual({ env: 'test' });
  });

  it('refuses an invalid token without creating anything', async () => {
    const before = (await listAgents(store.db, store.dialect, scope, { limit: 1000, sort: 'name' })).items.length;
    await expect(
      enrollAgent(
        store.db,
        store.dialect,
        signedEnrollment({ token: 'flt_e_nope', key: newAgentKey(), name: 'x-1', labels: {}, facts }),
      ),
    ).rejects.toSatisfy((err: unknown) => err instanceof FlotillaError && err.code === 'ENROLLMENT_TOKEN_INVALID');
    expect((await listAgents(store.db, store.dialect, scope, { limit: 1000, sort: 'name' })).items).toHaveLength(
      before,
    );
  });

  it('stores each agent event exactly once, acks cumulatively and applies logs and results', async () => {
    const { agentId } = await enrollAgent(
      store.db,
      store.dialect,
      signedEnrollment({ token: await token(), key: newAgentKey(), name: 'ev-1', labels: {}, facts }),
    );
    const created = await createJob(store, scope, {
      workflowName: 'w',
      workflowText: 'name: w',
      secretNames: ['API_KEY'],
      inputs: { a: 1 },
      target: { agent: 'ev-1' },
      runs: [{ agentId, batch: 0 }],
      rollout: null,
      expiresAt: null,
      createdBy: null,
    });
    const { jobId } = created;
    const runId = created.runIds[0]!;
    const offers = await offersForAgent(store.db, agentId, { resend: false });
    expect(offers.map((o) => ({ runId: o.runId, secretNames: o.secretNames }))).toEqual([
      { runId, secretNames: ['API_KEY'] },
    ]);
    expect(await store.write((trx) => transitionRun(trx, { runId, agentId, transition: 'dispatch' }))).toMatchObject({
      jobState: 'dispatched',
    });
    // A transition from a state the run is not in changes nothing.
    expect(await store.write((trx) => transitionRun(trx, { runId, agentId, transition: 'expire' }))).toBeUndefined();

    const ts = '2026-01-02T03:04:05+01:00';
    const log = (seq: number, line: string) =>
      recordAgentEvent(store, agentId, { seq, runId, event: { kind: 'log', ts, step: 's', stream: 'stdout', line } });
    expect((await recordAgentEvent(store, agentId, { seq: 1, runId, event: { kind: 'run.started', ts } })).ackSeq).toBe(
      1,
    );
    expect(await log(2, 'hello')).toMatchObject({ stored: true, ackSeq: 2 });
    expect(await log(2, 'hello')).toMatchObject({ stored: false, ackSeq: 2 });
    // Beyond a gap nothing is stored (the agent replays in order): 4 before 3 is refused.
    expect(await log(4, 'out of order')).toMatchObject({ stored: false, beyondGap: true, ackSeq: 2 });
    expect(await log(3, 'world')).toMatchObject({ stored: true, ackSeq: 3 });
    expect(await log(4, 'in order')).toMatchObject({ stored: true, ackSeq: 4 });
    const finished = await recordAgentEvent(store, agentId, {
      seq: 5,
      runId,
      event: { kind: 'run.finished', ts, state: 'succeeded', exitCode: 0 },
    });
    expect(finished.updates).toEqual([
      { ...scope, jobId, runId, agentId, jobState: 'succeeded', runState: 'succeeded' },
    ]);

    const logs = await getJobLogs(store.db, jobId, { after: 0, limit: 10 });
    expect(logs.items.map((l) => [l.seq, l.line])).toEqual([
      [1, 'hello'],
      [2, 'world'],
      [3, 'in order'],
    ]);
    expect(logs.items[0]!.ts).toBe('2026-01-02T02:04:05.000Z');
    expect((await getJobLogs(store.db, jobId, { after: 1, limit: 1 })).nextCursor).toBe('2');
    const job = (await getJob(store.db, scope, jobId))!;
    expect(job).toMatchObject({
      state: 'succeeded',
      runs: [{ state: 'succeeded', exitCode: 0, agent: 'ev-1', startedAt: '2026-01-02T02:04:05.000Z' }],
    });
    // The ack is the dedupe watermark: no event needs a row of its own.
    const events = await store.db.selectFrom('agent_events').select('seq').where('agent_id', '=', agentId).execute();
    expect(events).toEqual([]);
    expect(await log(4, 'out of order')).toMatchObject({ stored: false, ackSeq: 5 });
    // A terminal run never moves again.
    expect(await store.write((trx) => transitionRun(trx, { runId, agentId, transition: 'reject' }))).toBeUndefined();
  });

  it('scopes reads by tenant and project', async () => {
    const { agentId } = await enrollAgent(
      store.db,
      store.dialect,
      signedEnrollment({ token: await token(), key: newAgentKey(), name: 'scoped', labels: {}, facts }),
    );
    const { jobId } = await createJob(store, scope, oneRunJob(agentId));
    const elsewhere: Scope = { tenantId: scope.tenantId, projectId: 'prj_other' };
    expect(await getAgent(store.db, elsewhere, agentId)).toBeUndefined();
    expect(await getJob(store.db, elsewhere, jobId)).toBeUndefined();
    expect((await listAgents(store.db, store.dialect, elsewhere, { limit: 10, sort: 'name' })).items).toEqual([]);
  });
});
