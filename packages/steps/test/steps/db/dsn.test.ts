import { describe, expect, it } from 'vitest';
import { maskDsn, parseDsn } from '@flotilla/steps';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('parseDsn: URL form', () => {
  it('parses every part of a postgres URL', () => {
    expect(parseDsn('postgres', 'postgres://alice:s3cret@db.example.com:6543/app?sslmode=require')).toEqual({
      kind: 'server',
      host: 'db.example.com',
      port: 6543,
      user: 'alice',
      password: 's3cret',
      database: 'app',
      params: { sslmode: 'require' },
    });
  });

  it('fills default ports and host, accepts postgresql:// and mariadb://', () => {
    expect(parseDsn('postgres', 'postgresql://u@/db')).toMatchObject({
      host: 'localhost',
      port: 5432,
      user: 'u',
      password: '',
    });
    expect(parseDsn('mysql', 'mysql://root@127.0.0.1/test')).toMatchObject({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
    });
    expect(parseDsn('mysql', 'mariadb://root@h:3307/x')).toMatchObject({ port: 3307, database: 'x' });
  });

  it('keeps raw @ and : in passwords and decodes percent-escapes', () => {
    expect(parseDsn('postgres', 'postgres://bob:p@ss:w@rd@host:5432/db')).toMatchObject({
      user: 'bob',
      password: 'p@ss:w@rd',
      host: 'host',
    });
    expect(parseDsn('mysql', 'mysql://bob:a%2Fb%3Fc%23d%40e@host/db')).toMatchObject({
      password: 'a/b?c#d@e',
      host: 'host',
    });
    expect(parseDsn('postgres', 'postgres://us%40er:x@host/my%20db')).toMatchObject({
      user: 'us@er',
      database: 'my db',
    });
  });

  it('parses IPv6 hosts in brackets', () => {
    expect(parseDsn('postgres', 'postgres://u:p@[::1]:5433/db')).toMatchObject({ host: '::1', port: 5433 });
  });

  it('rejects a scheme that does not match the driver, bad ports and bad escapes', () => {
    expect(codeOf(() => parseDsn('mysql', 'postgres://u:p@h/db'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseDsn('postgres', 'postgres://u:p@h:99999/db'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseDsn('postgres', 'postgres://u:%zz@h/db'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseDsn('postgres', ''))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseDsn('postgres', 'just some words'))).toBe('CONFIG_INVALID');
  });

  it('never puts the password into an error message', () => {
    try {
      parseDsn('mysql', 'postgres://u:topsecretpw@h/db');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('topsecretpw');
    }
  });
});

describe('parseDsn: Go form', () => {
  it('parses user:pass@tcp(host:port)/db?params', () => {
    expect(parseDsn('mysql', 'app:pw@tcp(db:3307)/myapp?parseTime=true&charset=utf8mb4')).toEqual({
      kind: 'server',
      host: 'db',
      port: 3307,
      user: 'app',
      password: 'pw',
      database: 'myapp',
      params: { parseTime: 'true', charset: 'utf8mb4' },
    });
  });

  it('takes the last @ before tcp( so passwords may contain @, : and /, without decoding', () => {
    expect(parseDsn('mysql', 'u:p@s:s/w%41rd@tcp(h:1)/db')).toMatchObject({
      user: 'u',
      password: 'p@s:s/w%41rd',
      host: 'h',
      port: 1,
    });
  });

  it('works for postgres too, with defaults when parts are missing', () => {
    expect(parseDsn('postgres', 'postgres@tcp(127.0.0.1)/test')).toMatchObject({
      user: 'postgres',
      password: '',
      host: '127.0.0.1',
      port: 5432,
      database: 'test',
    });
    expect(parseDsn('mysql', 'root@/test')).toMatchObject({ host: 'localhost', port: 3306, database: 'test' });
    expect(parseDsn('mysql', '/test')).toMatchObject({ user: '', database: 'test' });
  });

  it('parses unix sockets', () => {
    expect(parseDsn('mysql', 'u:p@unix(/run/mysqld/mysqld.sock)/db')).toMatchObject({
      socketPath: '/run/mysqld/mysqld.sock',
      database: 'db',
    });
    expect(codeOf(() => parseDsn('mysql', 'u:p@unix(relative.sock)/db'))).toBe('CONFIG_INVALID');
  });
});

describe('parseDsn: sqlite', () => {
  it('accepts sqlite:///abs, file:, plain paths and :memory:', () => {
    expect(parseDsn('sqlite', 'sqlite:///var/lib/app.db')).toEqual({ kind: 'file', path: '/var/lib/app.db' });
    expect(parseDsn('sqlite', 'file:/var/lib/app.db?mode=ro')).toEqual({ kind: 'file', path: '/var/lib/app.db' });
    expect(parseDsn('sqlite', '/tmp/x.db')).toEqual({ kind: 'file', path: '/tmp/x.db' });
    expect(parseDsn('sqlite', 'rel.db')).toEqual({ kind: 'file', path: `${process.cwd()}/rel.db` });
    expect(parseDsn('sqlite', ':memory:')).toEqual({ kind: 'file', path: ':memory:' });
  });

  it('rejects other schemes and sqlite:// without an absolute path', () => {
    expect(codeOf(() => parseDsn('sqlite', 'mysql://u@h/db'))).toBe('CONFIG_INVALID');
    expect(codeOf(() => parseDsn('sqlite', 'sqlite://relative.db'))).toBe('CONFIG_INVALID');
  });
});

describe('maskDsn', () => {
  it('masks passwords in both styles, including passwords with @ and :', () => {
    expect(maskDsn('postgres://bob:p@ss:w@host:5432/db')).toBe('postgres://bob:***@host:5432/db');
    expect(maskDsn('u:p@s:s@tcp(h:1)/db?x=1')).toBe('u:***@tcp(h:1)/db?x=1');
    expect(maskDsn('u:secret@/db')).toBe('u:***@/db');
  });

  it('leaves DSNs without a password alone', () => {
    expect(maskDsn('postgres://bob@host/db')).toBe('postgres://bob@host/db');
    expect(maskDsn('root@tcp(h)/db')).toBe('root@tcp(h)/db');
    expect(maskDsn('/var/lib/app.db')).toBe('/var/lib/app.db');
  });
});
