import mysql from 'mysql2';
import type { Connection, ConnectionOptions, FieldPacket, ResultSetHeader } from 'mysql2';
import { parseDuration } from '@flotilla/protocol';
import { StepError } from '@flotilla/workflow';
import type { QueryRequest, QueryResult } from './db-driver.js';
import { toJsonRow, withAbort } from './db-driver.js';
import type { ServerDsn } from './dsn.js';

/** DSN parameters this driver understands; others (Go's `parseTime`, `loc`…) are reported and ignored. */
const KNOWN_PARAMS = new Set(['tls', 'ssl', 'charset', 'timeout']);
const KILL_TIMEOUT_MS = 3000;
const CLOSE_TIMEOUT_MS = 1000;

/** Runs one statement on MySQL/MariaDB with a fresh connection (multi-statements stay disabled). */
export async function queryMysql(dsn: ServerDsn, request: QueryRequest): Promise<QueryResult> {
  const options = connectionOptions(dsn, request);
  const connection = mysql.createConnection(options);
  // Fatal errors after a query are reported here; the step has already failed or finished by then.
  connection.on('error', () => undefined);
  let healthy = false;
  let killing: Promise<void> | undefined;
  try {
    return await withAbort(
      request.signal,
      () => {
        killing = killQuery(options, connection.threadId).finally(() => {
          connection.destroy();
        });
      },
      async () => {
        await new Promise<void>((resolve, reject) => {
          connection.connect((err) => {
            if (err === null) resolve();
            else reject(err);
          });
        });
        const result = await runQuery(connection, request);
        healthy = true;
        return result;
      },
    );
  } finally {
    // An aborted step ends once its statement is killed on the server (bounded by KILL_TIMEOUT_MS).
    await killing;
    if (healthy) await closeGracefully(connection);
    else connection.destroy();
  }
}

function connectionOptions(dsn: ServerDsn, request: QueryRequest): ConnectionOptions {
  const ignored = Object.keys(dsn.params).filter((key) => !KNOWN_PARAMS.has(key));
  if (ignored.length > 0) request.log.info(`db: ignoring unsupported mysql dsn parameters: ${ignored.join(', ')}`);
  const timeout = dsn.params.timeout === undefined ? undefined : parseDuration(dsn.params.timeout);
  const ssl = sslOption(dsn.params.tls ?? dsn.params.ssl);
  return {
    ...(dsn.socketPath === undefined ? { host: dsn.host, port: dsn.port } : { socketPath: dsn.socketPath }),
    user: dsn.user === '' ? 'root' : dsn.user,
    password: dsn.password,
    ...(dsn.database === '' ? {} : { database: dsn.database }),
    // Go lists fallbacks (`utf8mb4,utf8`); mysql2 takes one.
    ...(dsn.params.charset === undefined ? {} : { charset: dsn.params.charset.split(',')[0] ?? dsn.params.charset }),
    ...(ssl === undefined ? {} : { ssl }),
    connectTimeout: timeout ?? request.connectTimeoutMs,
    // Exact values for outputs: BIGINT/DECIMAL as strings, DATETIME as the server's text (no time zone guess).
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: false,
  };
}

function sslOption(mode: string | undefined): ConnectionOptions['ssl'] {
  switch (mode) {
    case undefined:
    case 'false':
    case 'preferred':
      return undefined;
    case 'true':
      return { rejectUnauthorized: true };
    case 'skip-verify':
      return { rejectUnauthorized: false };
    default:
      throw new StepError(
        'CONFIG_INVALID',
        `invalid dsn: unknown tls mode "${mode}" (true, false, skip-verify, preferred)`,
      );
  }
}

function runQuery(connection: Connection, request: QueryRequest): Promise<QueryResult> {
  return new Promise<QueryResult>((resolve, reject) => {
    let rows: Record<string, unknown>[] = [];
    let columns: string[] = [];
    let truncated = false;
    let rowsAffected = 0;
    let inResultSet = false;
    // Without a callback mysql2 emits rows one by one instead of buffering them: the cap bounds memory.
    const query = connection.query({ sql: request.query, values: [...request.params] });
    query.on('fields', (fields?: FieldPacket[]) => {
      // `undefined` announces an OK packet (INSERT/UPDATE…); an array starts a new result set.
      inResultSet = fields !== undefined;
      if (fields !== undefined) {
        columns = fields.map((f) => f.name);
        rows = [];
        truncated = false;
      }
    });
    query.on('result', (result: Record<string, unknown> | ResultSetHeader) => {
      if (!inResultSet) {
        rowsAffected += (result as ResultSetHeader).affectedRows;
      } else if (rows.length < request.maxRows) {
        rows.push(toJsonRow(result as Record<string, unknown>));
      } else {
        truncated = true;
      }
    });
    query.on('error', reject);
    query.on('end', () => {
      resolve({ rows, columns, rowsAffected, truncated });
    });
  });
}

/**
 * Stops the statement server-side (`KILL QUERY`): destroying our socket alone leaves it running
 * on the server until it finishes.
 */
async function killQuery(options: ConnectionOptions, threadId: number | null | undefined): Promise<void> {
  if (typeof threadId !== 'number') return;
  const killer = mysql.createConnection({ ...options, connectTimeout: KILL_TIMEOUT_MS });
  killer.on('error', () => undefined);
  const timer = setTimeout(() => {
    killer.destroy();
  }, KILL_TIMEOUT_MS);
  try {
    await killer.promise().query(`KILL QUERY ${String(threadId)}`);
  } catch {
    // Best effort: the connection is destroyed right after anyway.
  } finally {
    clearTimeout(timer);
    killer.destroy();
  }
}

/** Sends QUIT when the connection is healthy; a broken or busy one is destroyed after a short wait. */
async function closeGracefully(connection: Connection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    try {
      connection.end(() => {
        resolve();
      });
    } catch {
      resolve();
    }
  });
  clearTimeout(timer);
  connection.destroy();
}
