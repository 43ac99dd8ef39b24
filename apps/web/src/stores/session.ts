import { computed, ref, shallowRef } from 'vue';
import { defineStore } from 'pinia';
import type { Permission, SessionInfo } from '@flotilla/protocol';
import { api, hasSessionCookie } from '../api/client';
import { isUnauthenticated } from '../api/errors';

/**
 * Who is signed in, in which project, and what they may do there. The session itself is the
 * HTTP-only cookie the server set at login: this store only holds what `GET /auth/session` says
 * about it, so a reload asks the server again.
 */
export const useSessionStore = defineStore('session', () => {
  const info = shallowRef<SessionInfo | null>(null);
  /** `true` once the server was asked at least once (signed in or not). */
  const checked = ref(false);

  const user = computed(() => info.value?.user ?? null);
  const signedIn = computed(() => info.value !== null);
  const permissions = computed<ReadonlySet<Permission>>(() => new Set(info.value?.permissions ?? []));

  /**
   * Whether to show a control that needs `permission`. The server enforces every permission on
   * its own; this only hides what would be refused (a read-only member sees no mutating control).
   */
  function can(permission: Permission): boolean {
    return permissions.value.has(permission);
  }

  /** Asks the server who the cookie belongs to (in the current project); `false` when nobody is signed in. */
  async function load(): Promise<boolean> {
    try {
      info.value = hasSessionCookie() ? await api.auth.session() : null;
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
      info.value = null;
    } finally {
      checked.value = true;
    }
    return info.value !== null;
  }

  async function login(username: string, password: string): Promise<void> {
    await api.auth.login({ body: { username, password } });
    await load();
  }

  async function logout(): Promise<void> {
    try {
      await api.auth.logout();
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
    }
    info.value = null;
  }

  /** The server said the session is gone: forget the user (the router sends them to login). */
  function expire(): void {
    info.value = null;
  }

  return { info, user, checked, signedIn, permissions, can, load, login, logout, expire };
});
