import { describe, expect, it } from 'vitest';
import { dbStep, queryEffect } from '@flotilla/steps';

describe('queryEffect', () => {
  it.each([
    'SELECT * FROM users WHERE id = $1',
    '  select 1;',
    'SHOW TABLES',
    'WITH t AS (SELECT 1 AS n) SELECT n FROM t',
    '(SELECT 1) UNION (SELECT 2)',
    "SELECT * FROM notes WHERE body = 'please update; delete'",
    '-- report\nSELECT count(*) FROM runs',
    'EXPLAIN SELECT 1',
  ])('read: %s → idempotent', (query) => {
    expect(queryEffect(query)).toBe('idempotent');
  });

  it.each([
    'UPDATE users SET name = $1',
    'INSERT INTO t VALUES (1)',
    'CALL backup_procedure()',
    'SELECT 1; DELETE FROM t',
    'WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone',
    'SELECT * INTO backup FROM t',
    'EXPLAIN ANALYZE DELETE FROM t',
    "SELECT '--'; DELETE FROM t",
    "SELECT 'a\\''; DELETE FROM t; SELECT ''",
    'SELECT 1 /*! INTO OUTFILE "/tmp/x" */',
    'SELECT nextval($1); TRUNCATE t',
    'TRUNCATE t',
    '',
  ])('write or unsure: %s → at-most-once', (query) => {
    expect(queryEffect(query)).toBe('at-most-once');
  });

  it('is what the db step reports as its effect', () => {
    const read = dbStep.configSchema.parse({ driver: 'sqlite', dsn: ':memory:', query: 'SELECT 1' });
    const write = dbStep.configSchema.parse({ driver: 'sqlite', dsn: ':memory:', query: 'DELETE FROM t' });
    expect(dbStep.effect(read)).toBe('idempotent');
    expect(dbStep.effect(write)).toBe('at-most-once');
  });
});
