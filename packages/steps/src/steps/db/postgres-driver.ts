import pg from 'pg';
import type { ClientConfig } from 'pg';
import { StepError } from '@flotilla/workflow';
import type { QueryRequest, QueryResult } from './db-driver.js';
import { toJsonRow, withAbort } from './db-driver.js';
import type { ServerDsn } from './dsn.js';

/** DSN parameters this driver understands; others are reported and ignored. */
const KNOWN_PARAMS = new Set(['sslmode', 'application_name', 'options', 'connect_timeout']);
const CANCEL_TIMEOUT_MS = 3000;

/** Runs one query (or a `;`-separated batch without params) on PostgreSQL with a fresh connection. */
export async function queryPostgres(dsn: ServerDsn, request: QueryRequest): Promise<QueryResult> {
  const config = clientConfig(dsn, request);
  const client = new pg.Client(config);
  // An idle client emits 'error' when the server goes away; without a listener that would crash the agent.
  client.on('error', () => undefined);
  let cancelling: Promise<void> | undefined;
  try {
    return await withAbort(
      request.signal,
      () => {
        cancelling = cancelBackend(config, backendPid(client)).finally(() => client.end().catch(() => undefined));
      },
      async () => {
        await client.connect();
        return await runQuery(client, request);
      },
    );
  } finally {
    // An aborted step ends once its statement is stopped on the server (bounded by CANCEL_TIMEOUT_MS).
    await cancelling;
    await client.end().catch(() => undefined);
  }
}

function clientConfig(dsn: ServerDsn, request: QueryRequest): ClientConfig {
  const ignored = Object.keys(dsn.params).filter((key) => !KNOWN_PARAMS.has(key));
  if (ignored.length > 0) request.log.info(`db: ignoring unsupported postgres dsn parameters: ${ignored.join(', ')}`);
  const connectTimeout = dsn.params.connect_timeout === undefined ? NaN : Number(dsn.params.connect_timeout) * 1000;
  return {
    // pg takes a socket directory as `host`.
    host: dsn.socketPath ?? dsn.host,
    port: dsn.port,
    user: dsn.user === '' ? 'postgres' : dsn.user,
    password: dsn.password,
    database: dsn.database === '' ? undefined : dsn.database,
    ssl: sslOption(dsn.params.sslmode),
    application_name: dsn.params.application_name ?? 'flotilla',
    options: dsn.params.options,
    connectionTimeoutMillis:
      Number.isFinite(connectTimeout) && connectTimeout > 0 ? connectTimeout : request.connectTimeoutMs,
  };
}

function sslOption(mode: string | undefined): ClientConfig['ssl'] {
  switch (mode) {
    case undefined:
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      // libpq semantics: `require` encrypts without verifying the certificate.
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      throw new StepError('CONFIG_INVALID', `invalid dsn: unknown sslmode "${mode}"`);
  }
}

function runQuery(client: pg.Client, request: QueryRequest): Promise<QueryResult> {
  return new Promise<QueryResult>((resolve, reject) => {
    const query = new pg.Query({ text: request.query, values: [...request.params] });
    let current: unknown;
    let rows: Record<string, unknown>[] = [];
    let truncated = false;
    // A 'row' listener makes pg stream rows instead of buffering them all: the cap bounds memory.
    query.on('row', (row: Record<string, unknown>, result?: unknown) => {
      if (result !== current) {
        current = result;
        rows = [];
        truncated = false;
      }
      if (rows.length < request.maxRows) rows.push(toJsonRow(row));
      else truncated = true;
    });
    query.on('error', reject);
    query.on('end', (ended: unknown) => {
      const results = (Array.isArray(ended) ? ended : [ended]) as pg.QueryResult[];
      const withFields = results.filter((r) => r.fields.length > 0);
      const last = withFields.at(-1);
      if (last !== undefined && last !== current) rows = [];
      resolve({
        rows,
        columns: last?.fields.map((f) => f.name) ?? [],
        rowsAffected: results.reduce((sum, r) => sum + (r.fields.length > 0 ? 0 : (r.rowCount ?? 0)), 0),
        truncated,
      });
    });
    void client.query(query);
  });
}

/**
 * The backend's process id, which pg reads from the BackendKeyData message at connect time
 * (pg's own `cancel` uses it) but does not declare in its types.
 */
function backendPid(client: pg.Client): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}

/**
 * Stops the running statement server-side: closing our socket alone leaves the backend running
 * until it next writes to the client, which a long `UPDATE` may not do for minutes.
 */
async function cancelBackend(config: ClientConfig, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  const canceller = new pg.Client({
    ...config,
    connectionTimeoutMillis: CANCEL_TIMEOUT_MS,
    query_timeout: CANCEL_TIMEOUT_MS,
  });
  canceller.on('error', () => undefined);
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // Best effort: the connection is closed right after anyway.
  } finally {
    await canceller.end().catch(() => undefined);
  }
}
