import { computed, ref, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import type { Page } from '@flotilla/protocol';
import { useResource } from './useResource';

export interface UseCursorPagesOptions<T> {
  /** Reads the page at `cursor` (`undefined`: the first page). */
  load: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>;
  /** Load the first page at once. @default true */
  immediate?: boolean;
}

export interface CursorPages<T> {
  page: ShallowRef<Page<T> | undefined>;
  error: Ref<string | null>;
  loading: Ref<boolean>;
  /** 1-based number of the page shown. */
  number: ComputedRef<number>;
  hasNext: ComputedRef<boolean>;
  hasPrevious: ComputedRef<boolean>;
  next: () => Promise<void>;
  previous: () => Promise<void>;
  /** Back to the first page (new filters), or the same page again (`reload`). */
  first: () => Promise<void>;
  reload: () => Promise<void>;
}

/**
 * A list the server pages with cursors (`?cursor=` → `{ items, nextCursor }`): one page at a
 * time, forward with the server's cursor and back through the cursors already seen.
 */
export function useCursorPages<T>(options: UseCursorPagesOptions<T>): CursorPages<T> {
  /** The cursor of each page shown so far; the last one is the current page's. */
  const cursors = ref<(string | undefined)[]>([undefined]);
  const resource = useResource({
    load: (signal) => options.load(cursors.value.at(-1), signal),
    immediate: options.immediate ?? true,
  });

  const hasNext = computed(() => (resource.data.value?.nextCursor ?? null) !== null);
  const hasPrevious = computed(() => cursors.value.length > 1);

  async function next(): Promise<void> {
    const cursor = resource.data.value?.nextCursor;
    if (cursor === null || cursor === undefined) return;
    cursors.value = [...cursors.value, cursor];
    await resource.reload();
  }
  async function previous(): Promise<void> {
    if (cursors.value.length <= 1) return;
    cursors.value = cursors.value.slice(0, -1);
    await resource.reload();
  }
  async function first(): Promise<void> {
    cursors.value = [undefined];
    await resource.reload();
  }
  return {
    page: resource.data,
    error: resource.error,
    loading: resource.loading,
    number: computed(() => cursors.value.length),
    hasNext,
    hasPrevious,
    next,
    previous,
    first,
    reload: resource.reload,
  };
}
