import { sql } from 'kysely';
import type { SqlBool } from 'kysely';
import { likePattern } from './dialect.js';
import type { LabelQueries } from './dialect.js';

/**
 * SQLite's JSON1 functions. A key goes into a JSON path quoted (`$."kubernetes.io/role"`), so
 * dots and slashes stay part of the key; label keys cannot hold a quote. `like` is
 * case-insensitive for ASCII only in SQLite.
 */
export const sqliteLabels: LabelQueries = {
  hasAll(column, selector) {
    const labels = sql.ref(column);
    const terms = Object.entries(selector).map(
      ([key, value]) => sql<SqlBool>`json_extract(${labels}, ${`$."${key}"`}) = ${value}`,
    );
    return sql<SqlBool>`(${sql.join(terms, sql` and `)})`;
  },
  contain(column, text) {
    const pattern = likePattern(text);
    return sql<SqlBool>`exists (select 1 from json_each(${sql.ref(column)}) as l
      where lower(l.key) like ${pattern} escape '\\' or lower(l.value) like ${pattern} escape '\\')`;
  },
};
