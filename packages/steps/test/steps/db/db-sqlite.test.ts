import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dbStep } from '@flotilla/steps';
import { makeContext, expectStepError } from '../../helpers/context.js';
import type { ContextOverrides } from '../../helpers/context.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flotilla-sqlite-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(config: Record<string, unknown>, overrides: ContextOverrides = {}) {
  const parsed = dbStep.configSchema.parse({ driver: 'sqlite', ...config });
  return dbStep.run(makeContext(parsed, { policy: { allowedFileRoots: [dir] }, ...overrides }).ctx);
}

describe('db step on SQLite (sql.js)', () => {
  it('creates, inserts and selects across runs: the database persists on disk', async () => {
    const file = join(dir, 'app.db');
    await run({ dsn: `sqlite://${file}`, query: 'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB)' });
    expect((await stat(file)).size).toBeGreaterThan(0);
    const insert = await run({
      dsn: file,
      query: 'INSERT INTO t (id, name, data) VALUES (?, ?, ?), (?, ?, NULL)',
      params: [1, 'alice', 'x', 2, 'bob'],
    });
    expect(insert.outputs.rows_affected).toBe(2);
    expect((await readFile(file)).subarray(0, 15).toString()).toBe('SQLite format 3');

    const select = await run({ dsn: file, query: 'SELECT id, name FROM t WHERE id >= ? ORDER BY id', params: [1] });
    expect(select.outputs).toEqual({
      rows: [
        { id: 1, name: 'alice' },
        { id: 2, name: 'bob' },
      ],
      columns: ['id', 'name'],
      rows_affected: 0,
      truncated: false,
    });
    const update = await run({
      dsn: `sqlite:///${file.slice(1)}`,
      query: 'UPDATE t SET name = upper(name) WHERE id = 2',
    });
    expect(update.outputs.rows_affected).toBe(1);
    const after = await run({ dsn: file, query: 'SELECT name FROM t WHERE id = 2' });
    expect(after.outputs.rows).toEqual([{ name: 'BOB' }]);
  });

  it('does not rewrite the file for a read-only query', async () => {
    const file = join(dir, 'ro.db');
    await run({ dsn: file, query: 'CREATE TABLE t (n INTEGER)' });
    const before = await stat(file);
    await run({ dsn: file, query: 'SELECT count(*) AS c FROM t' });
    const after = await stat(file);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('runs a batch, reporting the last result set, and leaves the file untouched when a statement fails', async () => {
    const file = join(dir, 'batch.db');
    const batch = await run({
      dsn: file,
      query: 'CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3); SELECT sum(n) AS s FROM t',
    });
    expect(batch.outputs).toMatchObject({ rows: [{ s: 6 }], rows_affected: 3 });
    const before = await readFile(file);
    const err = await expectStepError(run({ dsn: file, query: 'INSERT INTO t VALUES (4); SELEC broken' }));
    expect(err.code).toBe('STEP_FAILED');
    expect(await readFile(file)).toEqual(before);
    expect((await run({ dsn: file, query: 'SELECT count(*) AS c FROM t' })).outputs.rows).toEqual([{ c: 3 }]);
  });

  it('reports 0 rows_affected for DDL after DML', async () => {
    const out = await run({
      dsn: ':memory:',
      query: 'CREATE TABLE a (n INTEGER); INSERT INTO a VALUES (1), (2); CREATE TABLE b (n INTEGER)',
    });
    expect(out.outputs.rows_affected).toBe(2);
    const ddl = await run({ dsn: ':memory:', query: 'CREATE TABLE c (n INTEGER)' });
    expect(ddl.outputs.rows_affected).toBe(0);
  });

  it('denies a path outside the allowed file roots', async () => {
    const err = await expectStepError(run({ dsn: join(tmpdir(), 'elsewhere.db'), query: 'SELECT 1' }));
    expect(err.code).toBe('POLICY_DENIED');
    const none = await expectStepError(
      run({ dsn: join(dir, 'x.db'), query: 'SELECT 1' }, { policy: { allowedFileRoots: [] } }),
    );
    expect(none.code).toBe('POLICY_DENIED');
  });

  it('refuses params with several statements: in the config schema, and at run time for a config that skipped it', async () => {
    const config = { driver: 'sqlite', dsn: ':memory:', query: 'SELECT ?; SELECT ?', params: [1, 2] } as const;
    const issues = dbStep.configSchema.safeParse(config).error?.issues;
    expect(issues?.map((i) => [i.path, i.message])).toEqual([[['query'], 'params need a single SQL statement']]);
    const raw = { ...config, params: [...config.params], max_rows: 10 };
    const err = await expectStepError(dbStep.run(makeContext(raw, { policy: { allowedFileRoots: [dir] } }).ctx));
    expect(err.code).toBe('CONFIG_INVALID');
    // a trailing comment or semicolon is no second statement
    await run({ dsn: ':memory:', query: 'SELECT ? AS n; -- the answer', params: [1] });
  });

  it('does not read a database with a pending write-ahead log', async () => {
    const file = join(dir, 'wal.db');
    await run({ dsn: file, query: 'CREATE TABLE t (n INTEGER)' });
    await writeFile(`${file}-wal`, 'pending frames');
    const err = await expectStepError(run({ dsn: file, query: 'SELECT 1' }));
    expect(err.code).toBe('STEP_FAILED');
  });

  it('does not create a file for a query that writes nothing', async () => {
    const file = join(dir, 'never.db');
    await run({ dsn: file, query: 'SELECT 1 AS one' });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
