import { computed, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import type { Page } from '@flotilla/protocol';
import { useResource } from './useResource';

export interface UseCursorListOptions<T> {
  /** Reads one page (`cursor` undefined: the first); `signal` aborts when a newer load starts. */
  load: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>;
  /** Load the first page at once. @default true */
  immediate?: boolean;
}

export interface CursorList<T> {
  /** Every item loaded so far, page after page. */
  items: ShallowRef<T[]>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  /** `true` once the first page came back (an empty list is then really empty). */
  loaded: Ref<boolean>;
  /** Whether the server has more after the last page loaded. */
  hasMore: ComputedRef<boolean>;
  /** Loads the next page and appends it. */
  loadMore: () => Promise<void>;
  /** Starts again from the first page. */
  reload: () => Promise<void>;
}

/**
 * A list read page by page with the API's cursor pagination (`{items, nextCursor}`): the first
 * page, then "load more" appends the next. Loading, errors and a lost session as `useResource`.
 */
export function useCursorList<T>(options: UseCursorListOptions<T>): CursorList<T> {
  const items = shallowRef<T[]>([]);
  const loaded = ref(false);
  const nextCursor = ref<string | null>(null);
  let append = false;

  const resource = useResource({
    immediate: false,
    load: async (signal) => {
      const appending = append;
      const page = await options.load(appending ? (nextCursor.value ?? undefined) : undefined, signal);
      // A newer load (a new search, "start again") supersedes this one: its answer is dropped.
      if (signal.aborted) return page;
      items.value = appending ? [...items.value, ...page.items] : page.items;
      nextCursor.value = page.nextCursor;
      loaded.value = true;
      return page;
    },
  });

  async function reload(): Promise<void> {
    append = false;
    await resource.reload();
  }
  async function loadMore(): Promise<void> {
    if (nextCursor.value === null) return;
    append = true;
    await resource.reload();
  }
  if (options.immediate !== false) void reload();
  return {
    items,
    loading: resource.loading,
    error: resource.error,
    loaded,
    hasMore: computed(() => nextCursor.value !== null),
    loadMore,
    reload,
  };
}
