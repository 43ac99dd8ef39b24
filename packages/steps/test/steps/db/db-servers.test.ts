import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { dbStep } from '@flotilla/steps';
import type { DbConfig } from '@flotilla/steps';
import { linesOf, makeContext, expectStepError, stepTimeoutSignal } from '../../helpers/context.js';
import type { ContextOverrides } from '../../helpers/context.js';
import { serviceAvailable } from '../../helpers/service-probe.js';

/** The real servers of SPEC §14, one suite per dialect (Kysely style). */
const dialects = [
  {
    driver: 'postgres' as const,
    name: 'PostgreSQL',
    port: 5432,
    urlDsn: 'postgres://postgres@127.0.0.1:5432/test',
    goDsn: 'postgres@tcp(127.0.0.1:5432)/test',
    // Local auth is `trust`, so a wrong password alone would pass: an unknown role fails the same way.
    badAuthDsn: 'postgres://no_such_role_flotilla:wrong-password-123@127.0.0.1:5432/test',
    ph: (i: number) => `$${i}`,
    sleep: 'SELECT pg_sleep(30)',
    running: "SELECT count(*) AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'",
  },
  {
    driver: 'mysql' as const,
    name: 'MariaDB',
    port: 3306,
    urlDsn: 'mysql://root@127.0.0.1:3306/test',
    goDsn: 'root@tcp(127.0.0.1:3306)/test?parseTime=true',
    badAuthDsn: 'root:wrong-password-123@tcp(127.0.0.1:3306)/test',
    ph: () => '?',
    sleep: 'SELECT SLEEP(30)',
    running: "SELECT count(*) AS n FROM information_schema.processlist WHERE info = 'SELECT SLEEP(30)'",
  },
];

function run(config: Record<string, unknown>, overrides: ContextOverrides = {}) {
  const parsed: DbConfig = dbStep.configSchema.parse(config);
  const t = makeContext(parsed, overrides);
  return { t, result: dbStep.run(t.ctx) };
}

for (const d of dialects) {
  const available = await serviceAvailable(`${d.name} for the db step`, '127.0.0.1', d.port);

  describe.skipIf(!available)(`db step on ${d.name}`, () => {
    const table = `flotilla_db_${randomBytes(4).toString('hex')}`;

    afterAll(async () => {
      const { result } = run({ driver: d.driver, dsn: d.urlDsn, query: `DROP TABLE IF EXISTS ${table}` });
      await result;
    });

    it('creates, inserts with params (URL dsn) and selects (Go dsn)', async () => {
      await run({
        driver: d.driver,
        dsn: d.urlDsn,
        query: `CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(50), note VARCHAR(50))`,
      }).result;
      const insert = await run({
        driver: d.driver,
        dsn: d.urlDsn,
        query: `INSERT INTO ${table} (id, name, note) VALUES (${d.ph(1)}, ${d.ph(2)}, ${d.ph(3)}), (${d.ph(4)}, ${d.ph(5)}, NULL)`,
        params: [1, "o'brien", 'x', 2, 'bob'],
      }).result;
      expect(insert.outputs).toMatchObject({ rows_affected: 2, rows: [], columns: [] });

      const select = await run({
        driver: d.driver,
        dsn: d.goDsn,
        query: `SELECT id, name, note FROM ${table} WHERE id >= ${d.ph(1)} ORDER BY id`,
        params: [1],
      }).result;
      expect(select.outputs).toEqual({
        rows: [
          { id: 1, name: "o'brien", note: 'x' },
          { id: 2, name: 'bob', note: null },
        ],
        columns: ['id', 'name', 'note'],
        rows_affected: 0,
        truncated: false,
      });
    });

    it('reports rows_affected for UPDATE', async () => {
      const update = await run({
        driver: d.driver,
        dsn: d.goDsn,
        query: `UPDATE ${table} SET note = ${d.ph(1)}`,
        params: ['updated'],
      }).result;
      expect(update.outputs.rows_affected).toBe(2);
    });

    it('caps rows at max_rows and says so', async () => {
      const query = 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT n FROM t';
      const { t, result } = run({ driver: d.driver, dsn: d.urlDsn, query, max_rows: 3 });
      const { outputs } = await result;
      expect(outputs.rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(outputs.truncated).toBe(true);
      expect(linesOf(t.lines, 'system').some((l) => l.includes('truncated'))).toBe(true);
    });

    it('fails bad SQL with STEP_FAILED, not retryable, and the server message', async () => {
      const err = await expectStepError(run({ driver: d.driver, dsn: d.urlDsn, query: 'SELEC nonsense' }).result);
      expect(err.code).toBe('STEP_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/syntax/i);
    });

    it('fails bad credentials with REMOTE_AUTH_FAILED, not retryable, without leaking the password', async () => {
      const { t, result } = run({ driver: d.driver, dsn: d.badAuthDsn, query: 'SELECT 1' });
      const err = await expectStepError(result);
      expect(err.code).toBe('REMOTE_AUTH_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).not.toContain('wrong-password-123');
      expect(t.lines.map((l) => l.line).join('\n')).not.toContain('wrong-password-123');
      expect(linesOf(t.lines, 'system').join('\n')).toContain('***');
    });

    it('fails an unreachable server as retryable', async () => {
      const dsn = d.urlDsn.replace(`:${d.port}/`, ':1/');
      const err = await expectStepError(run({ driver: d.driver, dsn, query: 'SELECT 1' }).result);
      expect(err.code).toBe('STEP_FAILED');
      expect(err.retryable).toBe(true);
    });

    it('stops the query on the server when the step is aborted', async () => {
      const { t, result } = run({ driver: d.driver, dsn: d.urlDsn, query: d.sleep });
      setTimeout(() => {
        t.controller.abort();
      }, 500);
      const started = Date.now();
      const err = await expectStepError(result);
      expect(err.code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(5000);
      const still = await run({ driver: d.driver, dsn: d.urlDsn, query: d.running }).result;
      expect(Number((still.outputs.rows as { n: unknown }[])[0]?.n)).toBe(0);
    });

    it('at the step timeout (config.timeout) stops the query on the server: a retryable STEP_TIMEOUT', async () => {
      const started = Date.now();
      const err = await expectStepError(
        run({ driver: d.driver, dsn: d.urlDsn, query: d.sleep }, { signal: stepTimeoutSignal(300) }).result,
      );
      expect(err.code).toBe('STEP_TIMEOUT');
      expect(err.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
      const still = await run({ driver: d.driver, dsn: d.urlDsn, query: d.running }).result;
      expect(Number((still.outputs.rows as { n: unknown }[])[0]?.n)).toBe(0);
    });
  });
}
