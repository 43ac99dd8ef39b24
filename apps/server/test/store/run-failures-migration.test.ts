import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/options/database-url.js';
import { getJobById } from '../../src/jobs/job-repo.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { dialectFor, openStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, dialectAvailable, DIALECTS } from '../helpers/databases.js';
import type { TestDatabase } from '../helpers/databases.js';
import { bareAgentRow } from '../helpers/store-rows.js';

const NOW = '2025-01-01T00:00:00.000Z';
/** Runs (and steps) written the old way beyond the first page the migration converts. */
const MANY = 1234;

/** The runs of one job as a server before migration 0008 wrote them: `[id, error, error_code]`. */
const OLD_RUNS: [string, string | null, string | null][] = [
  // reported by an agent: `"CODE: message"`
  ['run-agent', 'POLICY_DENIED: program sh is not allowed: not in allowed_commands', null],
  // failed by the server itself (job.reject, undeliverable): the text and the code beside it
  ['run-reject', 'ENVELOPE_SIGNATURE_INVALID: the signature does not verify', 'ENVELOPE_SIGNATURE_INVALID'],
  // expired and cancelled by the server: a plain message, the code only in `error_code`
  ['run-expired', 'not delivered before the job expired', 'EXPIRED'],
  ['run-cancelled', 'cancelled before it started', 'CANCELLED'],
  // a prefix that is not a catalogue code, and no prefix at all
  ['run-unknown', 'NOT_A_CODE: something odd', null],
  ['run-plain', 'agent exploded', null],
  ['run-ok', null, null],
];

/** A failed job's row (its runs say why). */
function failedJob(id: string) {
  const text = { workflow_name: 'w', workflow_text: 'name: w', inputs: '{}', target: '{}' };
  return {
    id,
    tenant_id: 't',
    project_id: 'p',
    ...text,
    state: 'failed',
    created_by: null,
    created_at: NOW,
    updated_at: NOW,
  };
}

/** A database migrated up to 0007, with a job whose runs and steps carry errors written the old way. */
async function databaseBefore0008(database: TestDatabase): Promise<void> {
  const config = parseDatabaseUrl(database.url, process.cwd());
  if (typeof config === 'string') throw new Error(config);
  const dialect = dialectFor(config);
  // `any`: the tables as they were before 0008 (with `error_code`, `log_seq`, `run_logs`), which
  // the current `Database` type no longer describes
  const db = new Kysely<any>({ dialect: dialect.createKyselyDialect() });
  try {
    const schema = await dialect.migrationTableSchema(db);
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    });
    const { error } = await migrator.migrateTo('0007-enrollment-proofs');
    if (error !== undefined) throw error instanceof Error ? error : new Error('migration failed', { cause: error });
    await db.insertInto('tenants').values({ id: 't', name: 't', created_at: NOW }).execute();
    await db.insertInto('projects').values({ id: 'p', tenant_id: 't', name: 'p', created_at: NOW }).execute();
    await db
      .insertInto('agents')
      .values(bareAgentRow({ tenantId: 't', projectId: 'p' }, 'a', 'web-1', NOW))
      .execute();
    await db.insertInto('jobs').values(failedJob('j')).execute();
    for (const [id, error, code] of OLD_RUNS) {
      await db
        .insertInto('runs')
        .values({
          id,
          job_id: 'j',
          tenant_id: 't',
          project_id: 'p',
          agent_id: 'a',
          state: error === null ? 'succeeded' : 'failed',
          exit_code: null,
          error,
          error_code: code,
          log_seq: 3,
          created_at: NOW,
          dispatched_at: null,
          started_at: null,
          finished_at: NOW,
        })
        .execute();
    }
    const step = (name: string, error: string | null) => ({
      run_id: 'run-agent',
      step: name,
      attempt: 1,
      status: error === null ? 'succeeded' : 'failed',
      exit_code: null,
      error,
      started_at: NOW,
      finished_at: NOW,
    });
    await db
      .insertInto('run_steps')
      .values([
        step('sh', 'POLICY_DENIED: program sh is not allowed'),
        step('deep', 'outputs not stored: nested deeper than 64 levels'),
        step('ok', null),
      ])
      .execute();
    await db
      .insertInto('run_logs')
      .values({ run_id: 'run-agent', seq: 1, step: 'sh', stream: 'stdout', line: 'x', ts: NOW })
      .execute();
    // more rows than the migration converts per page (1,000), in a job of their own
    await db.insertInto('jobs').values(failedJob('many')).execute();
    const many = Array.from({ length: MANY }, (_, i) => `many-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < MANY; i += 200) {
      const runs = many.slice(i, i + 200).map((id) => ({
        id,
        job_id: 'many',
        tenant_id: 't',
        project_id: 'p',
        agent_id: 'a',
        state: 'failed',
        error: 'STEP_FAILED: exit 1',
        created_at: NOW,
      }));
      await db.insertInto('runs').values(runs).execute();
      await db
        .insertInto('run_steps')
        .values(many.slice(i, i + 200).map((name) => ({ ...step(name, 'STEP_FAILED: exit 1'), run_id: 'many-0000' })))
        .execute();
    }
  } finally {
    await db.destroy();
  }
}

describe.each(DIALECTS)('migration 0008: structured run failures [%s]', (dialect) => {
  if (!dialectAvailable[dialect]) {
    it.skip(`${dialect} is not available (see warning above)`, () => undefined);
    return;
  }
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await database?.cleanup();
    store = undefined;
    database = undefined;
  });

  it(
    'turns errors stored as text into failures, drops runs.error_code, runs.log_seq and run_logs',
    { timeout: 60_000 },
    async () => {
      database = await createTestDatabase(dialect);
      await databaseBefore0008(database);
      const config = parseDatabaseUrl(database.url, process.cwd());
      if (typeof config === 'string') throw new Error(config);
      store = await openStore(config);

      const job = await getJobById(store.db, 'j');
      const errors = Object.fromEntries((job?.runs ?? []).map((r) => [r.id, r.error]));
      expect(errors).toEqual({
        'run-agent': {
          code: 'POLICY_DENIED',
          message: 'program sh is not allowed: not in allowed_commands',
          retryable: false,
        },
        'run-reject': {
          code: 'ENVELOPE_SIGNATURE_INVALID',
          message: 'the signature does not verify',
          retryable: false,
        },
        'run-expired': { code: 'EXPIRED', message: 'not delivered before the job expired', retryable: false },
        'run-cancelled': { code: 'CANCELLED', message: 'cancelled before it started', retryable: false },
        'run-unknown': { code: 'INTERNAL', message: 'NOT_A_CODE: something odd', retryable: false },
        'run-plain': { code: 'INTERNAL', message: 'agent exploded', retryable: false },
        'run-ok': null,
      });

      const steps = await store.db
        .selectFrom('run_steps')
        .select(['step', 'error'])
        .where('run_id', '=', 'run-agent')
        .orderBy('step')
        .execute();
      expect(steps.map((s) => [s.step, s.error === null ? null : (JSON.parse(s.error) as unknown)])).toEqual([
        [
          'deep',
          { code: 'OUTPUTS_NOT_STORED', message: 'outputs not stored: nested deeper than 64 levels', retryable: false },
        ],
        ['ok', null],
        ['sh', { code: 'POLICY_DENIED', message: 'program sh is not allowed', retryable: false }],
      ]);

      const converted = (table: 'runs' | 'run_steps') =>
        store!.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('error', '=', JSON.stringify({ code: 'STEP_FAILED', message: 'exit 1', retryable: false }))
          .executeTakeFirstOrThrow();
      expect(Number((await converted('runs')).n)).toBe(MANY);
      expect(Number((await converted('run_steps')).n)).toBe(MANY);

      await expect(sql`select error_code from runs`.execute(store.db)).rejects.toThrow();
      await expect(sql`select log_seq from runs`.execute(store.db)).rejects.toThrow();
      await expect(sql`select * from run_logs`.execute(store.db)).rejects.toThrow();
    },
  );
});
