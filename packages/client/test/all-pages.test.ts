import { describe, expect, it } from 'vitest';
import { allPages } from '../src/all-pages.js';

describe('allPages', () => {
  it('follows nextCursor until the last page and keeps the order', async () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const queries: { limit: number; cursor?: string }[] = [];
    const list = (query: { limit: number; cursor?: string }) => {
      queries.push(query);
      const start = query.cursor === undefined ? 0 : Number(query.cursor);
      const end = start + query.limit;
      return Promise.resolve({ items: items.slice(start, end), nextCursor: end < items.length ? String(end) : null });
    };
    expect(await allPages(list, 2)).toEqual(items);
    expect(queries).toEqual([{ limit: 2 }, { limit: 2, cursor: '2' }, { limit: 2, cursor: '4' }]);
    expect(await allPages(() => Promise.resolve({ items: [], nextCursor: null }))).toEqual([]);
  });
});
