import { sql } from 'kysely';
import type { Expression, Kysely, SqlBool } from 'kysely';
import { FlotillaError, parseLabelSelector } from '@flotilla/protocol';
import type { Agent, AgentSort, AgentStatus, Labels, Page } from '@flotilla/protocol';
import { likePattern } from '../store/dialect.js';
import type { StoreDialect } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { toAgent } from './agent-repo.js';

/** A page of `GET /agents`, its query parsed. */
export interface AgentListFilter {
  limit: number;
  cursor?: string | undefined;
  status?: readonly AgentStatus[] | undefined;
  selector?: Labels | undefined;
  /** Free text, matched case-insensitively as a substring. */
  q?: string | undefined;
  sort: AgentSort;
}

/**
 * The selector of `?selector=` (blank: no filter); `SELECTOR_INVALID` names the offset of the
 * term at fault, so a filter box can point at it.
 */
export function selectorOfQuery(text: string | undefined): Labels | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parsed = parseLabelSelector(text);
  if (parsed.ok) return parsed.selector;
  throw new FlotillaError('SELECTOR_INVALID', {
    detail: `Invalid label selector at position ${parsed.position}: ${parsed.message}`,
    errors: [{ path: 'selector', message: parsed.message, in: 'query', position: parsed.position }],
  });
}

/** Where a page ends: the sort it was taken in, the row's sort key and its id. */
type Position = [sort: AgentSort, key: string, id: string];

function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** A cursor of this list in this sort; anything else (another sort, tampering) is `VALIDATION_FAILED`. */
function decodePosition(cursor: string, sort: AgentSort): Position {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const valid =
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === sort &&
    value.every((part) => typeof part === 'string' && !part.includes('\u0000')) &&
    value[2] !== '';
  if (!valid) {
    throw new FlotillaError('VALIDATION_FAILED', {
      detail: 'Invalid cursor',
      errors: [{ path: 'cursor', message: 'not a cursor returned by this API for this sort', in: 'query' }],
    });
  }
  return value as Position;
}

/** `online`/`offline` are the connectivity of approved agents; the other statuses are trust states. */
function statusFilter(status: AgentStatus): Expression<SqlBool> {
  if (status === 'online' || status === 'offline')
    return sql<SqlBool>`(approval = 'approved' and connection = ${status})`;
  return sql<SqlBool>`approval = ${status}`;
}

/*
 * `agents.labels` is always written by `JSON.stringify` (compact, one escaping), so a label held
 * shows up verbatim in the column's text. A `like` on that text is a cheap superset test, run
 * before the engine's JSON functions: they then only parse the rows that can match, which keeps
 * a filter over 10,000 agents in single-digit milliseconds when few match (bench/agent-list).
 */

/** Labels include every selector label: text prefilter, then the engine's exact JSON test. */
function selectorFilter(dialect: StoreDialect, selector: Labels): Expression<SqlBool> {
  const pairs = Object.entries(selector).map(
    ([key, value]) =>
      sql<SqlBool>`labels like ${likePattern(`${JSON.stringify(key)}:${JSON.stringify(value)}`)} escape '\\'`,
  );
  return sql<SqlBool>`(${sql.join([...pairs, dialect.labels.hasAll('labels', selector)], sql` and `)})`;
}

/** Name, hostname, id or a label key or value contains `q` (case-insensitive). */
function textFilter(dialect: StoreDialect, q: string): Expression<SqlBool> {
  const text = q.toLowerCase();
  const pattern = likePattern(text);
  // Text JSON would escape (quotes, backslashes, control characters) is not verbatim in the column: no prefilter.
  const verbatim = JSON.stringify(text) === `"${text}"`;
  const labels = verbatim
    ? sql<SqlBool>`(lower(labels) like ${pattern} escape '\\' and ${dialect.labels.contain('labels', text)})`
    : dialect.labels.contain('labels', text);
  return sql<SqlBool>`(lower(name) like ${pattern} escape '\\'
    or lower(coalesce(hostname, '')) like ${pattern} escape '\\'
    or lower(id) like ${pattern} escape '\\'
    or ${labels})`;
}

/** Never-seen agents sort last in `lastSeen` order: `''` is below every timestamp. */
const lastSeenKey = sql<string>`coalesce(last_seen_at, '')`;

/**
 * One page of the project's agents, filtered and sorted in the database (filters AND together;
 * the selector and text search use the engine's JSON functions): at most `limit + 1` rows are
 * read, whatever the fleet's size. Keyset pagination on `(name, id)` ascending, or on
 * `(last seen, id)` descending.
 */
export async function listAgents(
  db: Kysely<Database>,
  dialect: StoreDialect,
  scope: Scope,
  filter: AgentListFilter,
): Promise<Page<Agent>> {
  let query = db
    .selectFrom('agents')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId);
  if (filter.status !== undefined && filter.status.length > 0) {
    const statuses = [...new Set(filter.status)];
    query = query.where(sql<SqlBool>`(${sql.join(statuses.map(statusFilter), sql` or `)})`);
  }
  if (filter.selector !== undefined) query = query.where(selectorFilter(dialect, filter.selector));
  const q = filter.q?.trim() ?? '';
  if (q !== '') query = query.where(textFilter(dialect, q));

  const after = filter.cursor === undefined ? undefined : decodePosition(filter.cursor, filter.sort);
  if (filter.sort === 'name') {
    if (after !== undefined) {
      const [, name, id] = after;
      query = query.where(sql<SqlBool>`(name > ${name} or (name = ${name} and id > ${id}))`);
    }
    query = query.orderBy('name').orderBy('id');
  } else {
    if (after !== undefined) {
      const [, seen, id] = after;
      query = query.where(sql<SqlBool>`(${lastSeenKey} < ${seen} or (${lastSeenKey} = ${seen} and id < ${id}))`);
    }
    query = query.orderBy(lastSeenKey, 'desc').orderBy('id', 'desc');
  }
  const rows = await query.limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const more = rows.length > filter.limit && last !== undefined;
  return {
    items: page.map(toAgent),
    nextCursor: more
      ? encodePosition([filter.sort, filter.sort === 'name' ? last.name : (last.last_seen_at ?? ''), last.id])
      : null,
  };
}
