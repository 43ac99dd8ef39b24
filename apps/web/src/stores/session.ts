import { computed, ref } from 'vue';
import { defineStore } from 'pinia';
import type { Permission, User } from '@flotilla/protocol';
import { api, hasSessionCookie } from '../api/client';
import { isUnauthenticated } from '../api/errors';

/**
 * Who is signed in. The session itself is the HTTP-only cookie the server set at login: this
 * store only knows who it belongs to (`GET /auth/me`), so a reload asks the server again.
 */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null);
  /** `true` once the server was asked at least once (signed in or not). */
  const checked = ref(false);

  const signedIn = computed(() => user.value !== null);
  /** What the signed-in principal may do in the current project, as the server computed it. */
  const permissions = ref<ReadonlySet<Permission> | null>(null);

  /**
   * Whether to show a control that needs `permission`. The server enforces every permission on
   * its own; this only hides what would be refused (a read-only member sees no mutating control).
   */
  function can(permission: Permission): boolean {
    return permissions.value?.has(permission) ?? false;
  }

  /** Asks the server who the cookie belongs to; `false` when nobody is signed in. */
  async function load(): Promise<boolean> {
    try {
      user.value = hasSessionCookie() ? await api.auth.me() : null;
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
      user.value = null;
    } finally {
      checked.value = true;
    }
    return user.value !== null;
  }

  async function login(username: string, password: string): Promise<void> {
    const result = await api.auth.login({ body: { username, password } });
    user.value = result.user;
    checked.value = true;
  }

  async function logout(): Promise<void> {
    try {
      await api.auth.logout();
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
    }
    user.value = null;
  }

  /** The server said the session is gone: forget the user (the router sends them to login). */
  function expire(): void {
    user.value = null;
  }

  return { user, checked, signedIn, permissions, can, load, login, logout, expire };
});
