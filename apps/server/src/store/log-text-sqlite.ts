import { sql } from 'kysely';
import type { Expression, Insertable, SqlBool } from 'kysely';
import { likePattern } from './dialect.js';
import type { LogTextIndex, TextSearchTerm } from './dialect.js';
import { preparedQuery } from './prepared.js';
import type { LogChunkTable } from './schema.js';

const insertChunkQuery = preparedQuery((db, p: Insertable<LogChunkTable>) =>
  db
    .insertInto('log_chunks')
    .values({
      id: p.id,
      tenant_id: p.tenant_id,
      project_id: p.project_id,
      job_id: p.job_id,
      run_id: p.run_id,
      first_seq: p.first_seq,
      last_seq: p.last_seq,
      line_count: p.line_count,
      entries: p.entries,
      created_at: p.created_at,
    })
    .returning(sql<number>`rowid`.as('rowid')),
);

const insertChunkTextQuery = preparedQuery(
  (_db, p: { rowid: number; body: string }) =>
    sql`insert into log_chunks_fts (rowid, body) values (${p.rowid}, ${p.body})`,
);

/**
 * FTS5: the chunk's text goes into the contentless `log_chunks_fts` under the chunk's rowid (the
 * text itself stays in `entries`); terms are FTS5 phrases of their words, ANDed. `like` is
 * case-insensitive for ASCII in SQLite.
 */
export const sqliteLogText: LogTextIndex = {
  async insertChunk(trx, row, text) {
    const inserted = await insertChunkQuery.takeFirst(trx, row);
    if (inserted === undefined) throw new Error('the log chunk was not inserted');
    await insertChunkTextQuery.execute(trx, { rowid: inserted.rowid, body: text });
  },
  matchesAll(terms: readonly TextSearchTerm[]): Expression<SqlBool> {
    const match = terms.map((t) => `"${t.tokens.join(' ')}"`).join(' AND ');
    return sql<SqlBool>`log_chunks.rowid in (select rowid from log_chunks_fts where log_chunks_fts match ${match})`;
  },
  contains(text) {
    return sql<SqlBool>`log_chunks.entries like ${likePattern(text)} escape '\\'`;
  },
};
