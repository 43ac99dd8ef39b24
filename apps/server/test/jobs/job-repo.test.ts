import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '../../src/audit/audit-log.js';
import { bootstrapFirstStart } from '../../src/bootstrap/first-start.js';
import { recordCancel } from '../../src/jobs/cancel-job.js';
import { createJob, type NewJob } from '../../src/jobs/job-repo.js';
import type { Scope } from '../../src/store/scope.js';
import type { Store } from '../../src/store/store.js';
import { dialectAvailable, DIALECTS, freshStore } from '../helpers/databases.js';
import { bareAgentRow, defaultScope } from '../helpers/store-rows.js';

const JOB: NewJob = {
  workflowName: 'hello',
  workflowText: 'name: hello\ntasks: []',
  secretNames: [],
  inputs: {},
  target: { agent: 'nobody' },
  runs: [],
  rollout: null,
  expiresAt: null,
  createdBy: null,
};

describe.each(DIALECTS)('job repository [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let store: Store;
  let close: () => Promise<void>;
  let scope: Scope;

  beforeAll(async () => {
    ({ store, close } = await freshStore(dialect));
    await bootstrapFirstStart(store.db, store.dialect, null);
    scope = await defaultScope(store.db);
  });
  afterAll(() => close());

  const auditOf = (jobId: string) =>
    store.db.selectFrom('audit_events').select(['action', 'object_id']).where('object_id', '=', jobId).execute();

  it('stores a job and its audit record in one transaction', async () => {
    const { jobId } = await createJob(store, scope, JOB, (trx, id) =>
      appendAuditEvent(trx, store.dialect, {
        tenantId: scope.tenantId,
        actor: { id: 'system', name: null },
        action: 'job.create',
        objectType: 'job',
        objectId: id,
        source: null,
      }),
    );
    expect(await store.db.selectFrom('jobs').select('id').where('id', '=', jobId).executeTakeFirst()).toEqual({
      id: jobId,
    });
    expect(await auditOf(jobId)).toEqual([{ action: 'job.create', object_id: jobId }]);
  });

  it('when the audit record cannot be written, the job is not stored either', async () => {
    let attempted: string | undefined;
    await expect(
      createJob(store, scope, JOB, (_trx, id) => {
        attempted = id;
        return Promise.reject(new Error('the audit trail is unavailable'));
      }),
    ).rejects.toThrow(/audit trail is unavailable/);
    expect(attempted).toMatch(/^job_/);
    expect(
      await store.db
        .selectFrom('jobs')
        .select('id')
        .where('id', '=', attempted ?? '')
        .executeTakeFirst(),
    ).toBeUndefined();
    expect(await auditOf(attempted ?? '')).toEqual([]);
  });

  it('cancels a job and appends its audit record in one transaction, or does neither', async () => {
    const agent = await store.db
      .insertInto('agents')
      .values(bareAgentRow(scope, 'agt_cancel-1', 'cancel-1'))
      .returning('id')
      .executeTakeFirstOrThrow();
    const { jobId, runIds } = await createJob(store, scope, { ...JOB, runs: [{ agentId: agent.id, batch: 0 }] });
    const runState = async () =>
      (await store.db.selectFrom('runs').select('state').where('id', '=', runIds[0]!).executeTakeFirstOrThrow()).state;
    const audit = (cancelledNow: number) => ({
      tenantId: scope.tenantId,
      actor: { id: 'system', name: null },
      action: 'job.cancel' as const,
      objectType: 'job',
      objectId: jobId,
      change: { cancelledNow },
      source: null,
    });

    await expect(
      recordCancel(store, jobId, () => {
        throw new Error('the audit trail is unavailable');
      }),
    ).rejects.toThrow(/audit trail is unavailable/);
    expect(await runState()).toBe('queued');
    expect(await auditOf(jobId)).toEqual([]);

    const outcome = await recordCancel(store, jobId, (done) => audit(done.updates.length));
    expect(outcome.updates.map((u) => u.runState)).toEqual(['cancelled']);
    expect(await runState()).toBe('cancelled');
    expect(await auditOf(jobId)).toEqual([{ action: 'job.cancel', object_id: jobId }]);
  });
});
