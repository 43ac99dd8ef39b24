import { computed, ref, shallowRef } from 'vue';
import { defineStore } from 'pinia';
import type { Permission, SessionInfo } from '@flotilla/protocol';
import { api, hasSessionCookie, useProjectForRequests } from '../api/client';
import { errorCode, isUnauthenticated } from '../api/errors';

/** The project chosen in this browser (its id only: never a token). */
const PROJECT_KEY = 'flotilla.project';

function rememberedProject(): string | undefined {
  return localStorage.getItem(PROJECT_KEY) ?? undefined;
}

/**
 * Who is signed in, in which tenant and project, and what they may do there. The session itself
 * is the HTTP-only cookie the server set at login: this store only holds what `GET /auth/session`
 * says about it, so a reload asks the server again. Every request names the project chosen here
 * (`x-flotilla-project`), remembered per browser.
 */
export const useSessionStore = defineStore('session', () => {
  const info = shallowRef<SessionInfo | null>(null);
  /** `true` once the server was asked at least once (signed in or not). */
  const checked = ref(false);

  const user = computed(() => info.value?.user ?? null);
  const signedIn = computed(() => info.value !== null);
  const tenant = computed(() => info.value?.tenant ?? null);
  /** The project every request acts in. */
  const project = computed(() => info.value?.project ?? null);
  /** Projects the principal may read; the project switcher offers them. */
  const projects = computed(() => info.value?.projects ?? []);
  /** Tenants the principal sees: its own; every tenant for the server owner. */
  const tenants = computed(() => info.value?.tenants ?? []);
  /** What the signed-in principal may do in the current project, as the server computed it. */
  const permissions = computed<ReadonlySet<Permission>>(() => new Set(info.value?.permissions ?? []));

  /**
   * Whether to show a control that needs `permission`. The server enforces every permission on
   * its own; this only hides what would be refused (a read-only member sees no mutating control).
   */
  function can(permission: Permission): boolean {
    return permissions.value.has(permission);
  }

  /**
   * Reads the session in `projectId` (or the default project). A remembered project that is gone
   * (deleted, or of another user's tenant) is forgotten and the default one is used instead; a
   * default project the principal cannot read gives way to the first one it can.
   */
  async function readSession(projectId: string | undefined): Promise<void> {
    useProjectForRequests(projectId);
    let read: SessionInfo;
    try {
      read = await api.auth.session();
    } catch (err) {
      if (projectId === undefined || errorCode(err) !== 'PROJECT_NOT_FOUND') throw err;
      localStorage.removeItem(PROJECT_KEY);
      useProjectForRequests(undefined);
      read = await api.auth.session();
    }
    const readable = read.projects.some((p) => p.id === read.project.id);
    const first = read.projects[0];
    if (!readable && first !== undefined) {
      useProjectForRequests(first.id);
      read = await api.auth.session();
    }
    useProjectForRequests(read.project.id);
    info.value = read;
  }

  function clear(): void {
    info.value = null;
    useProjectForRequests(undefined);
  }

  /** Asks the server who the cookie belongs to (in the chosen project); `false` when nobody is signed in. */
  async function load(): Promise<boolean> {
    try {
      if (hasSessionCookie()) await readSession(rememberedProject());
      else clear();
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
      clear();
    } finally {
      checked.value = true;
    }
    return info.value !== null;
  }

  async function login(username: string, password: string): Promise<void> {
    await api.auth.login({ body: { username, password } });
    await load();
  }

  /** Acts in another project from now on (remembered in this browser), with its permissions. */
  async function switchProject(projectId: string): Promise<void> {
    await readSession(projectId);
    if (project.value !== null) localStorage.setItem(PROJECT_KEY, project.value.id);
  }

  /** Reads the session again (after the project list or the principal's rights changed). */
  async function refresh(): Promise<void> {
    await readSession(project.value?.id);
  }

  async function logout(): Promise<void> {
    try {
      await api.auth.logout();
    } catch (err) {
      if (!isUnauthenticated(err)) throw err;
    }
    clear();
  }

  /** The server said the session is gone: forget the user (the router sends them to login). */
  function expire(): void {
    clear();
  }

  return {
    info,
    user,
    checked,
    signedIn,
    tenant,
    project,
    projects,
    tenants,
    permissions,
    can,
    load,
    login,
    switchProject,
    refresh,
    logout,
    expire,
  };
});
