import type { Expression, SqlBool } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import type { LogSearchHit, Page } from '@flotilla/protocol';
import type { LogTextIndex } from '../store/dialect.js';
import type { Store } from '../store/store.js';
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
    throw new FlotillaError('VALIDATION_FAILED', {
      detail: 'Invalid cursor',
      errors: [{ path: 'cursor', message: 'not a cursor returned by this API' }],
    });
  }
  return { createdAt, chunkId, skip: n };
}

/**
 * The candidate filter in the engine's full-text index: every term with words must be in the
 * chunk's index; punctuation-only terms fall back to a literal match on the text.
 */
function indexFilter(logText: LogTextIndex, query: SearchQuery): Expression<SqlBool>[] {
  const worded = query.terms.filter((t) => t.tokens.length > 0);
  const filters = worded.length > 0 ? [logText.matchesAll(worded)] : [];
  for (const term of query.terms.filter((t) => t.tokens.length === 0)) filters.push(logText.contains(term.text));
  return filters;
}

/**
 * Full-text search over the log lines of a project, newest first. The index narrows the search to
 * chunks holding every term; each line of those is then checked and highlighted (`[[match]]`).
 */
export async function searchLogs(
  store: Pick<Store, 'db' | 'dialect'>,
  scope: Scope,
  params: { q: string; limit: number; cursor?: string | undefined },
): Promise<Page<LogSearchHit>> {
  const query = parseSearchQuery(params.q);
  let cursor = params.cursor === undefined ? undefined : decode(params.cursor);
  const items: LogSearchHit[] = [];
  const db = store.db;
  for (;;) {
    let select = db
      .selectFrom('log_chunks')
      .innerJoin('runs', 'runs.id', 'log_chunks.run_id')
      .innerJoin('agents', 'agents.id', 'runs.agent_id')
      .select([
        'log_chunks.id',
        'log_chunks.job_id',
        'log_chunks.run_id',
        'log_chunks.entries',
        'log_chunks.created_at',
        'agents.name as agent',
      ])
      .where('log_chunks.tenant_id', '=', scope.tenantId)
      .where('log_chunks.project_id', '=', scope.projectId);
    for (const filter of indexFilter(store.dialect.logText, query)) select = select.where(filter);
    if (cursor !== undefined) {
      const c = cursor;
      select = select.where((eb) =>
        eb.or([
          eb('log_chunks.created_at', '<', c.createdAt),
          eb.and([eb('log_chunks.created_at', '=', c.createdAt), eb('log_chunks.id', '<=', c.chunkId)]),
        ]),
      );
    }
    const chunks = await select
      .orderBy('log_chunks.created_at', 'desc')
      .orderBy('log_chunks.id', 'desc')
      .limit(CHUNKS_PER_READ)
      .execute();
    for (const chunk of chunks) {
      const entries = (JSON.parse(chunk.entries) as LogEntry[]).reverse();
      const skip = cursor?.chunkId === chunk.id ? cursor.skip : 0;
      for (let i = skip; i < entries.length; i++) {
        const e = entries[i];
        if (e === undefined || !lineMatches(query, e[4])) continue;
        if (items.length === params.limit) {
          return { items, nextCursor: encode({ createdAt: chunk.created_at, chunkId: chunk.id, skip: i }) };
        }
        items.push({
          jobId: chunk.job_id,
          runId: chunk.run_id,
          agent: chunk.agent,
          seq: e[0],
          step: e[1],
          stream: e[2],
          ts: e[3],
          line: e[4],
          highlight: highlight(query, e[4]),
        });
      }
    }
    const last = chunks.at(-1);
    if (chunks.length < CHUNKS_PER_READ || last === undefined) return { items, nextCursor: null };
    // Continue strictly after the last chunk read: all of its lines were looked at.
    cursor = { createdAt: last.created_at, chunkId: last.id, skip: Number.MAX_SAFE_INTEGER };
  }
}
