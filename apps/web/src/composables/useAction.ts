import { ref, type Ref } from 'vue';
import { useRouter } from 'vue-router';
import { ElMessage } from 'element-plus';
import { useSessionStore } from '../stores/session';
import { describeError, isUnauthenticated } from '../api/errors';

export interface UseActionOptions<A extends unknown[], R> {
  run: (...args: A) => Promise<R>;
  /** Toast shown on success; none when omitted. */
  success?: string | ((result: R) => string);
}

export interface Action<A extends unknown[], R> {
  /** Runs the action; resolves with its result, or `undefined` when it failed (the error is shown). */
  execute: (...args: A) => Promise<R | undefined>;
  busy: Ref<boolean>;
  error: Ref<string | null>;
}

/** A mutation started by the user: busy state, a toast on success, the server's error on failure. */
export function useAction<A extends unknown[], R>(options: UseActionOptions<A, R>): Action<A, R> {
  const busy = ref(false);
  const error = ref<string | null>(null);
  const session = useSessionStore();
  const router = useRouter();

  async function execute(...args: A): Promise<R | undefined> {
    busy.value = true;
    error.value = null;
    try {
      const result = await options.run(...args);
      const message = typeof options.success === 'function' ? options.success(result) : options.success;
      if (message !== undefined) ElMessage.success(message);
      return result;
    } catch (err) {
      if (isUnauthenticated(err)) {
        session.expire();
        await router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
        return undefined;
      }
      error.value = describeError(err);
      ElMessage.error(error.value);
      return undefined;
    } finally {
      busy.value = false;
    }
  }
  return { execute, busy, error };
}
