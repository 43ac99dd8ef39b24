import { FlotillaError } from '@flotilla/protocol';

/** One term of a log search: a word or a quoted phrase, lower-cased. */
export interface SearchTerm {
  text: string;
  /** Its words as the full-text index sees them; empty for punctuation-only terms (`==>`). */
  tokens: string[];
  /** Tests a line for this term (no `g` flag: stateless). */
  matcher: RegExp;
}

/** A parsed search: every term must occur in a line (AND). */
export interface SearchQuery {
  terms: SearchTerm[];
  /** Matches a term in a line, for the line check and `[[highlight]]`. */
  pattern: RegExp;
}

const MAX_TERMS = 16;
const WORD = /[\p{L}\p{N}]+/gu;

function invalid(detail: string): FlotillaError {
  return new FlotillaError('SEARCH_QUERY_INVALID', { detail, errors: [{ path: 'q', message: detail, in: 'query' }] });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A term with words matches at word boundaries; a punctuation-only term matches anywhere. */
function termSource(term: Pick<SearchTerm, 'text' | 'tokens'>): string {
  const body = escapeRegExp(term.text);
  return term.tokens.length > 0 ? `(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])` : body;
}

/**
 * Parses `q`: whitespace-separated words and `"quoted phrases"`, all required. The query never
 * reaches the database as syntax (the index expression is built from the words), so the only
 * errors are ours: an unbalanced quote, an empty query, too many terms — `SEARCH_QUERY_INVALID`.
 */
export function parseSearchQuery(q: string): SearchQuery {
  if ((q.match(/"/g)?.length ?? 0) % 2 === 1) throw invalid('unbalanced double quote in the search query');
  const terms: SearchTerm[] = [];
  for (const match of q.matchAll(/"([^"]*)"|(\S+)/g)) {
    const text = (match[1] ?? match[2] ?? '').trim().toLowerCase();
    if (text === '') continue;
    const tokens = text.match(WORD) ?? [];
    terms.push({ text, tokens, matcher: new RegExp(termSource({ text, tokens }), 'iu') });
  }
  if (terms.length === 0) throw invalid('the search query has no terms');
  if (terms.length > MAX_TERMS) throw invalid(`at most ${MAX_TERMS} terms per search query`);
  const sources = [...terms].sort((a, b) => b.text.length - a.text.length).map(termSource);
  return { terms, pattern: new RegExp(sources.join('|'), 'giu') };
}

/** Whether a line contains every term. */
export function lineMatches(query: SearchQuery, line: string): boolean {
  return query.terms.every((term) => term.matcher.test(line));
}

/** The line with every match wrapped in `[[` and `]]`. */
export function highlight(query: SearchQuery, line: string): string {
  return line.replace(query.pattern, (m) => `[[${m}]]`);
}
