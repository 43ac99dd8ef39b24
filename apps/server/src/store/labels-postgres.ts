import { sql } from 'kysely';
import type { SqlBool } from 'kysely';
import { likePattern } from './dialect.js';
import type { LabelQueries } from './dialect.js';

/** `jsonb`: a selector is one containment test (`@>`); text search walks `jsonb_each_text`. */
export const postgresLabels: LabelQueries = {
  hasAll(column, selector) {
    return sql<SqlBool>`(${sql.ref(column)})::jsonb @> ${JSON.stringify(selector)}::jsonb`;
  },
  contain(column, text) {
    const pattern = likePattern(text);
    return sql<SqlBool>`exists (select 1 from jsonb_each_text((${sql.ref(column)})::jsonb) as l(key, value)
      where lower(l.key) like ${pattern} escape '\\' or lower(l.value) like ${pattern} escape '\\')`;
  },
};
