import { withoutQuotesAndComments } from './sql-statements.js';
import type { EffectClass } from '@flotilla/workflow';

const READ_ONLY_LEADS = new Set(['SELECT', 'SHOW', 'DESCRIBE', 'DESC', 'VALUES', 'TABLE', 'WITH', 'EXPLAIN']);
/** Words that make a read-looking statement write: data-modifying CTEs, `SELECT … INTO`, `EXPLAIN ANALYZE` (it executes). */
const WRITE_WORDS =
  /\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|INTO|CREATE|DROP|ALTER|TRUNCATE|GRANT|REVOKE|CALL|EXEC|EXECUTE|COPY|LOCK|ANALYZE|SET|DO|LOAD|HANDLER|PRAGMA|ATTACH|DETACH|VACUUM|REINDEX)\b/i;

/**
 * Classifies a query for crash recovery (SPEC §5.3): a single statement that starts with a
 * read keyword (`SELECT`, `SHOW`, `WITH … SELECT`, …) and contains no write keyword anywhere
 * is `idempotent`; anything else — several statements, procedure calls, writes, text we are
 * unsure about — is `at-most-once`. Errs towards `at-most-once`: a false "write" only costs an
 * `interrupted` run, a false "read" would repeat a write.
 */
export function queryEffect(query: string): EffectClass {
  // A backslash may escape a quote (MySQL) and shift where strings end: do not guess.
  if (query.includes('\\')) return 'at-most-once';
  // MySQL executes the body of `/*! … */` comments.
  if (query.includes('/*!')) return 'at-most-once';
  const text = withoutQuotesAndComments(query).trim().replace(/;\s*$/, '');
  if (text.includes(';')) return 'at-most-once';
  const lead = /^\(*\s*([A-Za-z]+)/.exec(text)?.[1]?.toUpperCase();
  if (lead === undefined || !READ_ONLY_LEADS.has(lead)) return 'at-most-once';
  return WRITE_WORDS.test(text) ? 'at-most-once' : 'idempotent';
}
