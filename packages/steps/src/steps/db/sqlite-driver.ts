import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';
import { abortedError } from '../../process/aborted-error.js';
import { replaceAtomically } from '@flotilla/node-kit';
import { confinePath } from '../file/roots.js';
import type { QueryRequest, QueryResult } from './db-driver.js';
import { toJsonRow } from './db-driver.js';
import type { FileDsn } from './dsn.js';
import { withoutQuotesAndComments } from '../../catalogue/sql-statements.js';

/** Rows between two yields to the event loop, so a long result does not starve timers and aborts. */
const ROWS_PER_YIELD = 1000;

let sqlJs: Promise<SqlJsStatic> | undefined;

/** sql.js is SQLite compiled to wasm: no native add-on on the agent. Loaded once, on first use. */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs().catch((err: unknown) => {
    sqlJs = undefined;
    throw err;
  });
  return sqlJs;
}

/**
 * Runs a query (or a `;`-separated batch) against a SQLite file with sql.js: the file is read
 * into memory, the statements run, and when the database changed it is written back
 * atomically (temp file, fsync, rename). A failing batch leaves the file untouched. The path
 * must lie inside `policy.allowedFileRoots`.
 */
export async function querySqlite(dsn: FileDsn, request: QueryRequest, policy: StepPolicy): Promise<QueryResult> {
  const SQL = await loadSqlJs();
  if (dsn.path === ':memory:') {
    const db = new SQL.Database();
    try {
      return await runStatements(db, request);
    } finally {
      db.close();
    }
  }
  const file = await confinePath(dsn.path, policy, { followLeaf: true });
  const before = file.exists ? await stat(file.path) : undefined;
  if (before?.isFile() === false) throw new StepError('STEP_FAILED', `${dsn.path} is not a file`);
  await refusePendingWal(file.path);
  const original = before === undefined ? undefined : await readFile(file.path);
  const db = new SQL.Database(original);
  try {
    const result = await runStatements(db, request);
    // A missing file is created only when the batch created something in it: sql.js exports a
    // page even for an empty database, and a stray SELECT should not leave files behind.
    const keep = original !== undefined || scalar(db, 'SELECT count(*) FROM sqlite_master') !== 0;
    const image = keep ? db.export() : undefined;
    if (image !== undefined && (original === undefined || !Buffer.from(image).equals(original))) {
      await writeBack(file.path, image, before);
    }
    return result;
  } finally {
    db.close();
  }
}

async function runStatements(db: Database, request: QueryRequest): Promise<QueryResult> {
  const statements = db.iterateStatements(request.query);
  let result: QueryResult = { rows: [], columns: [], rowsAffected: 0, truncated: false };
  for (const statement of statements) {
    try {
      if (request.params.length > 0) {
        // the config schema refuses what it can tell for sure (hasSeveralStatements)
        if (withoutQuotesAndComments(statements.getRemainingSQL()).replace(/[\s;]/g, '') !== '') {
          throw new StepError('CONFIG_INVALID', 'params need a single SQL statement');
        }
        statement.bind(request.params.map(toSqlValue));
      }
      const changesBefore = totalChanges(db);
      const columns = statement.getColumnNames();
      const rows: Record<string, unknown>[] = [];
      let truncated = false;
      let seen = 0;
      while (statement.step()) {
        seen += 1;
        if (rows.length < request.maxRows) rows.push(toJsonRow(statement.getAsObject()));
        else truncated = true;
        if (seen % ROWS_PER_YIELD === 0) await yieldToEventLoop();
        if (request.signal.aborted) throw abortedError(request.signal);
      }
      if (columns.length > 0) result = { rows, columns, rowsAffected: result.rowsAffected, truncated };
      // sqlite3_changes() keeps the count of the last DML statement across DDL; count only
      // when this statement really changed rows (total_changes moved).
      else if (totalChanges(db) !== changesBefore) result.rowsAffected += db.getRowsModified();
    } finally {
      statement.free();
    }
    if (request.signal.aborted) throw abortedError(request.signal);
  }
  return result;
}

function totalChanges(db: Database): number {
  return scalar(db, 'SELECT total_changes()');
}

function scalar(db: Database, sql: string): number {
  const value = db.exec(sql)[0]?.values[0]?.[0];
  return typeof value === 'number' ? value : 0;
}

function toSqlValue(value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string' || value instanceof Uint8Array) return value;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/** Un-checkpointed WAL frames live beside the file; reading only the main file would miss them. */
async function refusePendingWal(path: string): Promise<void> {
  const wal = await stat(`${path}-wal`).catch(() => undefined);
  if (wal !== undefined && wal.size > 0) {
    throw new StepError('STEP_FAILED', `${path} has a pending write-ahead log (${path}-wal); checkpoint it first`);
  }
}

async function writeBack(path: string, image: Uint8Array, before: Stats | undefined): Promise<void> {
  // Optimistic concurrency: the whole file is replaced, so a write by someone else since we read
  // it would be lost silently. Refuse instead; the caller may retry.
  const now = await stat(path).catch(() => undefined);
  if (!sameFile(before, now)) {
    throw new StepError('STEP_FAILED', `${path} was changed by another writer while the query ran`, {
      retryable: true,
    });
  }
  await replaceAtomically(
    path,
    async (temp) => {
      await writeFile(temp, image);
    },
    { overwrite: true, mode: before === undefined ? 0o644 : before.mode & 0o7777 },
  );
}

function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
