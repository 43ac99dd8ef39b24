import { FlotillaError } from '@flotilla/protocol';
import { sql } from 'kysely';
import type { SelectQueryBuilder } from 'kysely';

/** Position in a list ordered by `(created_at desc, id desc)`. */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

/** Cursors are opaque to clients: base64url of the last item's position. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor from a query string; a tampered cursor is a validation error, not a 500. */
export function decodeCursor(cursor: string): CursorPosition {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // A decoded id goes into a query: U+0000 (PostgreSQL cannot compare it) is not a cursor of ours.
  if (
    createdAt === undefined ||
    id === undefined ||
    rest.length > 0 ||
    Number.isNaN(Date.parse(createdAt)) ||
    id === '' ||
    id.includes('\u0000')
  ) {
    throw new FlotillaError('VALIDATION_FAILED', {
      detail: 'Invalid cursor',
      errors: [{ path: 'cursor', message: 'not a cursor returned by this API' }],
    });
  }
  return { createdAt, id };
}

/** Builds `{items, nextCursor}` from rows fetched with `limit + 1`. */
export function toPage<Row extends { created_at: string; id: string }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(map),
    nextCursor:
      rows.length > limit && last !== undefined ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/**
 * One page of a single-table list, newest first: rows after the cursor's position in
 * `(created_at desc, id desc)` order, `limit + 1` of them so `toPage` can tell whether more follow.
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: { cursor?: string | undefined; limit: number },
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  if (page.cursor !== undefined) {
    const c = decodeCursor(page.cursor);
    const createdAt = sql.ref('created_at');
    const id = sql.ref('id');
    q = q.where(sql<boolean>`(${createdAt} < ${c.createdAt} or (${createdAt} = ${c.createdAt} and ${id} < ${c.id}))`);
  }
  return q
    .orderBy(sql.ref('created_at'), 'desc')
    .orderBy(sql.ref('id'), 'desc')
    .limit(page.limit + 1);
}
