/**
 * DSNs of the `db` step, read without Node (the catalogue is browser-safe): the config schema
 * refuses a DSN the step could not use, and the step reads it with this same parser, so
 * validation and run time agree. Messages never contain the password.
 */

/** The database drivers the `db` step speaks. */
export type DbDriverName = 'postgres' | 'mysql' | 'sqlite';

/** Where and how to reach a database server, parsed from either DSN style. */
export interface ServerDsn {
  kind: 'server';
  /** Host name or address; absent when `socketPath` is used. */
  host: string;
  port: number;
  /** Unix socket: a file for mysql, the socket directory for postgres (Go `unix(/path)`). */
  socketPath?: string | undefined;
  user: string;
  password: string;
  database: string;
  /** Query parameters (`?sslmode=require&…`), already decoded. */
  params: Record<string, string>;
}

/** A SQLite database: a file path (relative ones resolve against the working directory at run time), or `:memory:`. */
export interface FileDsn {
  kind: 'file';
  path: string;
}

export type ParsedDsn = ServerDsn | FileDsn;

/** A DSN that cannot be used; `message` says why, without the password. */
class DsnError extends Error {}

/** The `sslmode` values of postgres DSNs (libpq's, less `allow`/`prefer` nuances: see db.md). */
export const POSTGRES_SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
/** The `tls` (or `ssl`) values of mysql DSNs (go-sql-driver's). */
export const MYSQL_TLS_MODES = ['true', 'false', 'skip-verify', 'preferred'] as const;

const DEFAULT_PORT = { postgres: 5432, mysql: 3306 } as const;
const URL_SCHEMES = {
  postgres: ['postgres', 'postgresql'],
  mysql: ['mysql', 'mariadb'],
} as const;
/** `user:pass@tcp(host:port)/db?params`: greedy `(.*)@` so a password may contain `@`. */
const GO_DSN_RE = /^(?:(.*)@)?(?:(tcp|unix)\(([^)]*)\))?\/([^?/]*)(?:\?(.*))?$/s;
const URL_DSN_RE = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is;

/**
 * Parses a DSN for `driver`. Server drivers accept the URL form
 * (`postgres://user:pass@host:5432/db?sslmode=disable`; `@` and `:` may appear raw in the
 * password, `/ ? #` must be percent-encoded) and the Go form (`user:pass@tcp(host:port)/db`,
 * not percent-decoded, as go-sql-driver does); `sslmode` (postgres) and `tls`/`ssl` (mysql)
 * must be values the drivers know. SQLite accepts `sqlite:///abs/path.db`, `file:/abs/path.db`,
 * a plain path or `:memory:`. Returns the parsed DSN, or the message saying why it is invalid
 * (`invalid dsn: …`, never containing the password).
 */
export function parseDsnText(driver: DbDriverName, dsn: string): ParsedDsn | { invalid: string } {
  try {
    return parse(driver, dsn);
  } catch (err) {
    if (err instanceof DsnError) return { invalid: err.message };
    throw err;
  }
}

function parse(driver: DbDriverName, dsn: string): ParsedDsn {
  const text = dsn.trim();
  if (text === '') throw invalid('the dsn is empty');
  if (driver === 'sqlite') return parseSqliteDsn(text);
  const url = URL_DSN_RE.exec(text);
  const parsed =
    url !== null
      ? parseUrlDsn(driver, (url[1] ?? '').toLowerCase(), url[2] ?? '')
      : parseGoDsn(driver, GO_DSN_RE.exec(text) ?? notADsn(driver));
  checkTlsParams(driver, parsed.params);
  return parsed;
}

function notADsn(driver: 'postgres' | 'mysql'): never {
  throw invalid(
    `not a ${driver} dsn (expected ${URL_SCHEMES[driver][0]}://user:pass@host/db or user:pass@tcp(host:port)/db)`,
  );
}

function checkTlsParams(driver: 'postgres' | 'mysql', params: Record<string, string>): void {
  if (driver === 'postgres') {
    const mode = params.sslmode;
    if (mode !== undefined && !(POSTGRES_SSL_MODES as readonly string[]).includes(mode))
      throw invalid(`unknown sslmode "${mode}" (${POSTGRES_SSL_MODES.join(', ')})`);
    return;
  }
  const mode = params.tls ?? params.ssl;
  if (mode !== undefined && !(MYSQL_TLS_MODES as readonly string[]).includes(mode))
    throw invalid(`unknown tls mode "${mode}" (${MYSQL_TLS_MODES.join(', ')})`);
}

function parseUrlDsn(driver: 'postgres' | 'mysql', scheme: string, rest: string): ServerDsn {
  if (!(URL_SCHEMES[driver] as readonly string[]).includes(scheme)) {
    throw invalid(`scheme "${scheme}://" does not match driver ${driver}`);
  }
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const tail = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const at = authority.lastIndexOf('@');
  const [user, password] = at === -1 ? ['', ''] : splitUserInfo(authority.slice(0, at), true);
  const { host, port } = parseHostPort(at === -1 ? authority : authority.slice(at + 1), DEFAULT_PORT[driver]);
  const fragmentless = beforeFirst(tail, '#');
  const queryAt = fragmentless.indexOf('?');
  const path = queryAt === -1 ? fragmentless : fragmentless.slice(0, queryAt);
  const query = queryAt === -1 ? '' : fragmentless.slice(queryAt + 1);
  return {
    kind: 'server',
    host: host === '' ? 'localhost' : host,
    port,
    user,
    password,
    database: decode(path.replace(/^\//, '')),
    params: parseParams(query),
  };
}

function parseGoDsn(driver: 'postgres' | 'mysql', match: RegExpExecArray): ServerDsn {
  const [, userInfo, net, address = '', database = '', query = ''] = match;
  const [user, password] = userInfo === undefined ? ['', ''] : splitUserInfo(userInfo, false);
  if (net === 'unix' && !address.startsWith('/')) throw invalid('unix(...) needs an absolute socket path');
  const where =
    net === 'unix'
      ? { host: 'localhost', port: DEFAULT_PORT[driver], socketPath: address }
      : parseHostPort(address, DEFAULT_PORT[driver]);
  return {
    kind: 'server',
    ...where,
    host: where.host === '' ? 'localhost' : where.host,
    user,
    password,
    database,
    params: parseParams(query),
  };
}

/** Splits `user:password` at the first colon: user names have none, passwords may. */
function splitUserInfo(userInfo: string, percentEncoded: boolean): [string, string] {
  const colon = userInfo.indexOf(':');
  const user = colon === -1 ? userInfo : userInfo.slice(0, colon);
  const password = colon === -1 ? '' : userInfo.slice(colon + 1);
  return percentEncoded ? [decode(user), decode(password)] : [user, password];
}

function parseHostPort(address: string, defaultPort: number): { host: string; port: number } {
  // `[::1]:5432` — brackets keep the colons of an IPv6 address apart from the port.
  const m = /^(?:\[([^\]]*)\]|([^:]*))(?::(\d*))?$/.exec(address);
  if (m === null) throw invalid(`bad host:port "${address}"`);
  const host = m[1] ?? m[2] ?? '';
  if (m[3] === undefined || m[3] === '') return { host, port: defaultPort };
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw invalid(`bad port "${m[3]}"`);
  return { host, port };
}

function parseParams(query: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) params[key] = value;
  return params;
}

function parseSqliteDsn(text: string): FileDsn {
  if (text === ':memory:' || text === 'sqlite://:memory:' || text === 'file::memory:') {
    return { kind: 'file', path: ':memory:' };
  }
  let path = text;
  const url = URL_DSN_RE.exec(text);
  if (url !== null) {
    const [, scheme = '', rest = ''] = url;
    if (!['sqlite', 'sqlite3', 'file'].includes(scheme.toLowerCase())) {
      throw invalid(`scheme "${scheme}://" does not match driver sqlite`);
    }
    // `sqlite:///abs/path` — an empty host, then the absolute path.
    path = decode(beforeFirst(rest, '?'));
    if (!path.startsWith('/')) throw invalid('sqlite:// DSNs take an absolute path: sqlite:///abs/path.db');
  } else if (/^(?:file|sqlite3?):/i.test(text)) {
    path = decode(beforeFirst(text.replace(/^(?:file|sqlite3?):/i, ''), '?'));
  }
  if (path === '') throw invalid('the sqlite dsn has no path');
  return { kind: 'file', path };
}

function beforeFirst(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at === -1 ? text : text.slice(0, at);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid('the dsn contains a malformed %-escape');
  }
}

function invalid(message: string): DsnError {
  return new DsnError(`invalid dsn: ${message}`);
}

/**
 * The DSN with its password replaced by `***`, for messages. Works on both DSN styles and on
 * text that does not parse (the part between the first `:` and the last `@` of the authority).
 */
export function maskDsn(dsn: string): string {
  const url = URL_DSN_RE.exec(dsn);
  if (url !== null) {
    const [, scheme = '', rest = ''] = url;
    const end = rest.search(/[/?#]/);
    const authority = end === -1 ? rest : rest.slice(0, end);
    const at = authority.lastIndexOf('@');
    const colon = authority.indexOf(':');
    if (at === -1 || colon === -1 || colon > at) return dsn;
    return `${scheme}://${authority.slice(0, colon)}:***${rest.slice(at)}`;
  }
  const go = /^([^:@]*):(.*)@((?:tcp|unix)\(|\/)/s.exec(dsn);
  if (go === null) return dsn;
  const [whole, user = '', , net = ''] = go;
  return `${user}:***${dsn.slice(whole.length - net.length - 1)}`;
}
