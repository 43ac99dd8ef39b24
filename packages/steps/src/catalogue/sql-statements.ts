/**
 * What can be told about SQL text without a database: where its strings and comments are, and
 * whether it certainly holds more than one statement. Used by the `db` step's effect class and
 * its config checks (browser-safe, like the whole catalogue).
 */

/**
 * One left-to-right pass, so a `--` inside a string or a quote inside a comment is read the way
 * the server reads it. Strings become `''` (so `WHERE note = 'update'` is no write), comments a
 * space. An unterminated quote is left in place, which keeps the text after it visible.
 */
export function withoutQuotesAndComments(query: string): string {
  return query.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`[^`]*`|--[^\n]*|\/\*[\s\S]*?\*\//g, (token) =>
    token.startsWith('-') || token.startsWith('/') ? ' ' : "''",
  );
}

/**
 * True when the query certainly holds several statements: a `;` with more SQL after it, once
 * strings, comments and a final `;` are set aside. Text this pass cannot read for sure —
 * backslash escapes (MySQL), `/*!` comments (MySQL runs them), dollar quoting (PostgreSQL),
 * `BEGIN … END` bodies (triggers, procedures: one statement with `;` inside) — answers false,
 * leaving the decision to the database.
 */
export function hasSeveralStatements(query: string): boolean {
  if (query.includes('\\') || query.includes('/*!') || /\$[A-Za-z_]*\$/.test(query)) return false;
  const text = withoutQuotesAndComments(query)
    .trim()
    .replace(/;[\s;]*$/, '');
  if (/\bBEGIN\b/i.test(text)) return false;
  return /;\s*\S/.test(text);
}
