import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { builtinStepSpecs, stepCatalogue } from '@flotilla/steps/catalogue';
import { validateWorkflow } from '@flotilla/workflow';

/**
 * Checks a runner used to make only at run time, now in the catalogue's config schemas (so
 * `flotilla validate`, the server and the agent refuse them before anything runs). The runners
 * read the same values with the same parsers; the simple-style corpus proves the agreement on
 * whole documents (test/simple-corpus).
 */
function issues(type: string, config: Record<string, unknown>): string[] {
  const schema = stepCatalogue.get(type)?.configSchema;
  if (schema === undefined) throw new Error(`no step type ${type}`);
  const result = schema.safeParse(config);
  return (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('static checks in the catalogue', () => {
  it('no step type has a config field "timeout": config.timeout is the step timeout, for every type', () => {
    const shapeOf = (schema: z.ZodType): Record<string, unknown> =>
      schema instanceof z.ZodPipe ? shapeOf(schema.in as z.ZodType) : (schema as z.ZodObject).shape;
    const withTimeout = builtinStepSpecs.filter((spec) => 'timeout' in shapeOf(spec.configSchema));
    expect(withTimeout.map((spec) => spec.type)).toEqual([]);
  });

  it('db: the dsn parses for its driver, with known TLS modes', () => {
    const db = (driver: string, dsn: string, extra: Record<string, unknown> = {}) =>
      issues('db', { driver, dsn, query: 'SELECT 1', ...extra });
    expect(db('postgres', 'postgres://u:secret-pw@h:5432/db?sslmode=require')).toEqual([]);
    expect(db('postgres', 'postgres://u:secret-pw@h:5432/db?sslmode=sometimes')).toEqual([
      'dsn: invalid dsn: unknown sslmode "sometimes" (disable, allow, prefer, require, verify-ca, verify-full)',
    ]);
    expect(db('mysql', 'u:pw@tcp(h:3306)/db?tls=maybe')[0]).toContain('unknown tls mode "maybe"');
    expect(db('mysql', 'postgres://u:secret-pw@h/db')).toEqual([
      'dsn: invalid dsn: scheme "postgres://" does not match driver mysql',
    ]);
    expect(db('postgres', 'postgres://u:secret-pw@h:99999/db')[0]).toContain('bad port');
    expect(db('mysql', 'u:p@unix(relative.sock)/db')[0]).toContain('absolute socket path');
    expect(db('sqlite', 'mysql://u@h/db')[0]).toContain('does not match driver sqlite');
    expect(db('sqlite', 'relative/app.db')).toEqual([]);
    // never the password
    expect(db('mysql', 'postgres://u:secret-pw@h/db').join()).not.toContain('secret-pw');
  });

  it('db: several statements where the driver runs one, certain cases only', () => {
    const db = (driver: string, query: string, params: unknown[] = []) =>
      issues('db', { driver, dsn: driver === 'sqlite' ? ':memory:' : `${driver}://u@h/db`, query, params });
    expect(db('sqlite', 'SELECT ?; SELECT ?', [1, 2])).toEqual(['query: params need a single SQL statement']);
    expect(db('postgres', 'SELECT $1; SELECT 2', [1])).toEqual(['query: params need a single SQL statement']);
    expect(db('mysql', 'SELECT 1; SELECT 2')).toEqual(['query: MySQL/MariaDB runs one statement per step']);
    // allowed: without params, one statement with a final ; or comment, ; inside strings, bodies
    expect(db('sqlite', 'CREATE TABLE t (n INT); INSERT INTO t VALUES (1)')).toEqual([]);
    expect(db('postgres', 'SELECT 1; SELECT 2')).toEqual([]);
    expect(db('sqlite', "SELECT ? AS n, ';' AS s; -- done", [1])).toEqual([]);
    expect(db('mysql', 'SELECT 1;  ')).toEqual([]);
    const trigger = 'CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (?); UPDATE c SET n = 1; END';
    expect(db('sqlite', trigger, [1])).toEqual([]);
    expect(db('postgres', 'DO $$ BEGIN PERFORM 1; PERFORM 2; END $$', [])).toEqual([]);
  });

  it('http: header names and values fetch would refuse', () => {
    const http = (headers: Record<string, string>) => issues('http', { url: 'https://example.com', headers });
    expect(http({ Authorization: 'Bearer x', 'X-Empty': '' })).toEqual([]);
    expect(http({ 'bad header': 'x' })).toEqual(['headers.bad header: "bad header" is not a valid header name']);
    expect(http({ 'X-A': 'one\ntwo' })).toEqual(['headers.X-A: a header value cannot contain a line break or NUL']);
    expect(http({ 'X-A': '10 €' })[0]).toContain('characters up to U+00FF');
  });

  it('patch: the diff is a unified diff of one file; a watch URL is http(s)', () => {
    const diff = '--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n';
    expect(issues('patch', { path: '/etc/f', diff })).toEqual([]);
    expect(issues('patch', { path: '/etc/f', diff: 'just some text' })[0]).toContain(
      'diff: the diff must change exactly one file',
    );
    expect(issues('patch', { path: '/etc/f', diff: `${diff}${diff.replaceAll('/f', '/g')}` })[0]).toContain(
      '(found 2 files)',
    );
    expect(issues('patch', { path: '/etc/f', content: 'x', watch: { url: 'ftp://h/health' } })[0]).toMatch(
      /^watch\.url/,
    );
  });

  it('file.copy: src and dest that are the same path as written', () => {
    expect(issues('file.copy', { src: '/srv/a', dest: '/srv/b' })).toEqual([]);
    for (const dest of ['/srv/a', '/srv//a', '/srv/./a', '/srv/x/../a', '/srv/a/'])
      expect(issues('file.copy', { src: '/srv/a', dest })).toEqual(['dest: src and dest are the same file']);
    expect(issues('file.copy', { src: 'a', dest: 'x/../a' })).toEqual(['dest: src and dest are the same file']);
  });

  it('ssh and sftp: key_env, password_env and passphrase_env name a declared secret', () => {
    const document = [
      'name: secrets',
      'secrets: [DEPLOY_KEY]',
      'tasks:',
      '  - { name: a, type: ssh, config: { host: h, user: u, key_env: DEPLOY_KEY, command: id } }',
      '  - { name: b, type: ssh, config: { host: h, user: u, key_env: DEPLOY_KEYS, command: id } }',
      '  - { name: c, type: sftp, config: { host: h, user: u, password_env: PW, action: list, remote: / } }',
      '  - { name: d, type: ssh, config: { host: h, user: u, key_env: "{{.k}}", command: id } }',
      'inputs: { k: { default: DEPLOY_KEY } }',
    ].join('\n');
    const result = validateWorkflow(document, { steps: stepCatalogue });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`);
    expect(problems).toEqual([
      '5:64 UNKNOWN_NAME key_env: "DEPLOY_KEYS" is not a declared secret (did you mean "DEPLOY_KEY"?); the step\'s environment holds the workflow\'s secrets only: list it under "secrets:"',
      '6:70 UNKNOWN_NAME password_env: "PW" is not a declared secret; the step\'s environment holds the workflow\'s secrets only: list it under "secrets:"',
    ]);
  });
});
