import type { Page } from '@flotilla/protocol';

/** Every item of a cursor-paginated listing, fetched `pageSize` at a time. */
export async function allPages<T>(
  list: (query: { limit: number; cursor?: string }) => Promise<Page<T>>,
  pageSize = 1000,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
