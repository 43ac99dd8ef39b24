import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { useRouter } from 'vue-router';
import { useSessionStore } from '../stores/session';
import { describeError, isUnauthenticated } from '../api/errors';

export interface UseResourceOptions<T> {
  /** Reads the data; gets a signal that aborts when the component goes away or a newer load starts. */
  load: (signal: AbortSignal) => Promise<T>;
  /** Load at once. @default true */
  immediate?: boolean;
}

export interface Resource<T> {
  data: ShallowRef<T | undefined>;
  /** What went wrong with the last load, as one line; `null` after a good one. */
  error: Ref<string | null>;
  loading: Ref<boolean>;
  /** Loads again (the last answer wins; an older one in flight is aborted). */
  reload: () => Promise<void>;
}

/**
 * Data a page reads from the server, with loading and error states. A lost session sends the
 * user to login, remembering the page; everything in flight is aborted when the scope ends.
 */
export function useResource<T>(options: UseResourceOptions<T>): Resource<T> {
  const data = shallowRef<T>();
  const error = ref<string | null>(null);
  const loading = ref(false);
  const session = useSessionStore();
  const router = useRouter();
  let current: AbortController | undefined;

  async function reload(): Promise<void> {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    loading.value = true;
    try {
      const value = await options.load(controller.signal);
      if (controller.signal.aborted) return;
      data.value = value;
      error.value = null;
    } catch (err) {
      if (controller.signal.aborted) return;
      if (isUnauthenticated(err)) {
        session.expire();
        await router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
        return;
      }
      error.value = describeError(err);
    } finally {
      if (current === controller) loading.value = false;
    }
  }

  onScopeDispose(() => current?.abort());
  if (options.immediate !== false) void reload();
  return { data, error, loading, reload };
}
