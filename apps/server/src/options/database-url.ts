import path from 'node:path';
import type { DatabaseConfig } from './server-options.js';

/**
 * Turns a database URL into a store configuration, or returns an error message.
 * `postgres://` and `postgresql://` select PostgreSQL; `sqlite:PATH`, `sqlite://PATH`, `file:PATH`,
 * `:memory:` or a plain path select SQLite (relative paths resolve against `baseDir`).
 */
export function parseDatabaseUrl(url: string, baseDir: string): DatabaseConfig | string {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', connectionString: url };
  const sqlitePath = /^(?:sqlite|file):(?:\/\/)?(.*)$/i.exec(url)?.[1] ?? (url.includes('://') ? null : url);
  if (sqlitePath === null)
    return `unsupported database URL scheme in "${redactUrl(url)}" (use postgres://, postgresql:// or sqlite:PATH)`;
  if (sqlitePath === '') return 'the SQLite database URL has no path';
  if (sqlitePath === ':memory:') return { dialect: 'sqlite', filename: ':memory:' };
  return { dialect: 'sqlite', filename: path.resolve(baseDir, sqlitePath) };
}

/** The URL with any password replaced, safe to show in errors and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
