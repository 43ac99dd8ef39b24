import { sql } from 'kysely';
import type { SqlBool } from 'kysely';
import { likePattern } from './dialect.js';
import type { LogTextIndex } from './dialect.js';

/**
 * `tsvector`: the chunk's text is indexed in its own `tsv` column (GIN), written with the row;
 * terms are `phraseto_tsquery` phrases, ANDed, in the `simple` configuration (no stemming, no
 * stop words: log text is not prose).
 */
export const postgresLogText: LogTextIndex = {
  async insertChunk(trx, row, text) {
    await sql`insert into log_chunks (id, tenant_id, project_id, job_id, run_id, first_seq, last_seq, line_count, entries, created_at, tsv)
      values (${row.id}, ${row.tenant_id}, ${row.project_id}, ${row.job_id}, ${row.run_id}, ${row.first_seq}, ${row.last_seq},
              ${row.line_count}, ${row.entries}, ${row.created_at}, to_tsvector('simple', ${text}))`.execute(trx);
  },
  matchesAll(terms) {
    const tsquery = sql.join(
      terms.map((t) => sql`phraseto_tsquery('simple', ${t.text})`),
      sql` && `,
    );
    return sql<SqlBool>`log_chunks.tsv @@ (${tsquery})`;
  },
  contains(text) {
    return sql<SqlBool>`log_chunks.entries ilike ${likePattern(text)} escape '\\'`;
  },
};
