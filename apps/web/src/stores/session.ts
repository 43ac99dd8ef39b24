import { computed, ref } from 'vue';
import { defineStore } from 'pinia';
import type { NamedRef, Permission, SessionInfo, User } from '@flotilla/protocol';
import { api, hasSessionCookie, useProjectForRequests } from '../api/client';
import { errorCode, isUnauthenticated } from '../api/errors';

/** The project chosen in this browser (its id only: never a token). */
const PROJECT_KEY = 'flotilla.project';

function rememberedProject(): string | undefined {
  return localStorage.getItem(PROJECT_KEY) ?? undefined;
}

/**
 * Who is signed in, in which tenant and project, and what they may do there. The session itself
 * is the HTTP-only cookie the server set at login: this store only knows what `GET /auth/session`
 * says about it, so a reload asks the server again.
 */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null);
  /** `true` once the server was asked at least once (signed in or not). */
  const checked = ref(false);
  const tenant = ref<NamedRef | null>(null);
  /** The project every request acts in (`x-flotilla-project`). */
  const project = ref<NamedRef | null>(null);
  /** Projects the principal may read; the switcher offers them. */
  const projects = ref<NamedRef[]>([]);
  /** Tenants the principal sees: its own; every tenant for the server owner. */
  const tenants = ref<NamedRef[]>([]);

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

  function apply(info: SessionInfo): void {
    user.value = info.user;
    tenant.value = info.tenant;
    project.value = info.project;
    projects.value = info.projects;
    tenants.value = info.tenants;
    permissions.value = new Set(info.permissions);
  }

  function clear(): void {
    user.value = null;
    tenant.value = null;
    project.value = null;
    projects.value = [];
    tenants.value = [];
    permissions.value = null;
  }

  /**
   * Reads the session in `projectId` (or the default project). A remembered project that is gone
   * (deleted, or no longer granted) is forgotten, and the default one is used instead; a default
   * project the principal cannot read gives way to the first one it can.
   */
  async function readSession(projectId: string | undefined): Promise<void> {
    useProjectForRequests(projectId);
    let info: SessionInfo;
    try {
      info = await api.auth.session();
    } catch (err) {
      if (projectId === undefined || errorCode(err) !== 'PROJECT_NOT_FOUND') throw err;
      localStorage.removeItem(PROJECT_KEY);
      useProjectForRequests(undefined);
      info = await api.auth.session();
    }
    const readable = info.projects.some((p) => p.id === info.project.id);
    const first = info.projects[0];
    if (!readable && first !== undefined) {
      useProjectForRequests(first.id);
      info = await api.auth.session();
    }
    useProjectForRequests(info.project.id);
    apply(info);
  }

  /** Asks the server who the cookie belongs to; `false` when nobody is signed in. */
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
    return user.value !== null;
  }

  async function login(username: string, password: string): Promise<void> {
    const result = await api.auth.login({ body: { username, password } });
    user.value = result.user;
    checked.value = true;
    await readSession(rememberedProject());
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
