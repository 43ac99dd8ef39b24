import { PostgresAdapter, sql } from 'kysely';
import type { Expression, Kysely, SqlBool } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { LogSearchHit, Page } from '@flotilla/protocol';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import type { LogEntry } from './log-chunks.js';
import { highlight, lineMatches, parseSearchQuery } from './search-query.js';
import type { SearchQuery } from './search-query.js';

/** Chunks read per round trip while filling a page of hits. */
const CHUNKS_PER_READ = 50;

interface SearchCursor {
  createdAt: string;
  chunkId: string;
  /** Lines of that chunk already looked at (newest first). */
  skip: number;
}

function encode(c: SearchCursor): string {
  return Buffer.from(`${c.createdAt}|${c.chunkId}|${c.skip}`, 'utf8').toString('base64url');
}

function decode(text: string): SearchCursor {
  const [createdAt, chunkId, skip, ...rest] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const n = Number(skip);
  const invalid = createdAt === undefined || chunkId === undefined || rest.length > 0 || chunkId.includes('\u0000');
  if (invalid || !Number.isInteger(n) || n < 0 || Number.isNaN(Date.parse(createdAt))) {
    throw new FlotillaError('VALIDATION_FAILED', { detail: 'Invalid cursor', errors: [{ path: 'cursor', message: 'not a cursor returned by this API' }] });
  }
  return { createdAt, chunkId, skip: n };
}

/**
 * The candidate filter in each engine's full-text index: every term with words must be in the
 * chunk (FTS5 phrase / `phraseto_tsquery`); punctuation-only terms fall back to (I)LIKE on the text.
 */
function indexFilter(db: Kysely<Database>, query: SearchQuery): Expression<SqlBool>[] {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const filters: Expression<SqlBool>[] = [];
  const worded = query.terms.filter((t) => t.tokens.length > 0);
  if (worded.length > 0) {
    if (postgres) {
      const tsquery = sql.join(worded.map((t) => sql`phraseto_tsquery('simple', ${t.text})`), sql` && `);
      filters.push(sql<SqlBool>`log_chunks.tsv @@ (${tsquery})`);
    } else {
      const match = worded.map((t) => `"${t.tokens.join(' ')}"`).join(' AND ');
      filters.push(sql<SqlBool>`log_chunks.rowid in (select rowid from log_chunks_fts where log_chunks_fts match ${match})`);
    }
  }
  for (const term of query.terms.filter((t) => t.tokens.length === 0)) {
    const pattern = `%${term.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(postgres ? sql<SqlBool>`log_chunks.entries ilike ${pattern} escape '\\'` : sql<SqlBool>`log_chunks.entries like ${pattern} escape '\\'`);
  }
  return filters;
}

/**
 * Full-text search over the log lines of a project, newest first. The index narrows the search to
 * chunks holding every term; each line of those is then checked and highlighted (`[[match]]`).
 */
export async function searchLogs(db: Kysely<Database>, scope: Scope, params: { q: string; limit: number; cursor?: string | undefined }): Promise<Page<LogSearchHit>> {
  const query = parseSearchQuery(params.q);
  let cursor = params.cursor === undefined ? undefined : decode(params.cursor);
  const items: LogSearchHit[] = [];
  for (;;) {
    let select = db
      .selectFrom('log_chunks')
      .innerJoin('runs', 'runs.id', 'log_chunks.run_id')
      .innerJoin('agents', 'agents.id', 'runs.agent_id')
      .select(['log_chunks.id', 'log_chunks.job_id', 'log_chunks.run_id', 'log_chunks.entries', 'log_chunks.created_at', 'agents.name as agent'])
      .where('log_chunks.tenant_id', '=', scope.tenantId)
      .where('log_chunks.project_id', '=', scope.projectId);
    for (const filter of indexFilter(db, query)) select = select.where(filter);
    if (cursor !== undefined) {
      const c = cursor;
      select = select.where((eb) =>
        eb.or([eb('log_chunks.created_at', '<', c.createdAt), eb.and([eb('log_chunks.created_at', '=', c.createdAt), eb('log_chunks.id', '<=', c.chunkId)])]),
      );
    }
    const chunks = await select.orderBy('log_chunks.created_at', 'desc').orderBy('log_chunks.id', 'desc').limit(CHUNKS_PER_READ).execute();
    for (const chunk of chunks) {
      const entries = (JSON.parse(chunk.entries) as LogEntry[]).reverse();
      const skip = cursor?.chunkId === chunk.id ? cursor.skip : 0;
      for (let i = skip; i < entries.length; i++) {
        const e = entries[i];
        if (e === undefined || !lineMatches(query, e[4])) continue;
        if (items.length === params.limit) {
          return { items, nextCursor: encode({ createdAt: chunk.created_at, chunkId: chunk.id, skip: i }) };
        }
        items.push({ jobId: chunk.job_id, runId: chunk.run_id, agent: chunk.agent, seq: e[0], step: e[1], stream: e[2], ts: e[3], line: e[4], highlight: highlight(query, e[4]) });
      }
    }
    const last = chunks.at(-1);
    if (chunks.length < CHUNKS_PER_READ || last === undefined) return { items, nextCursor: null };
    // Continue strictly after the last chunk read: all of its lines were looked at.
    cursor = { createdAt: last.created_at, chunkId: last.id, skip: Number.MAX_SAFE_INTEGER };
  }
}
