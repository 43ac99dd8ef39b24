import { createRouter, createWebHistory } from 'vue-router';
import type { Pinia } from 'pinia';
import type { Permission } from '@flotilla/protocol';
import { useSessionStore } from '../stores/session';
import { routes } from './routes';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session (the login page). */
    public?: boolean;
    /** The document title's first part. */
    title?: string;
    /** In the side menu, with this label, sorted by `order`. */
    nav?: { label: string; order: number };
    /** The side-menu entry (a route name) a detail page belongs to, e.g. an agent's page → `fleet`. */
    section?: string;
    /** The side-menu entry shows only to principals holding it (the server refuses the rest anyway). */
    permission?: Permission;
  }
}

/** The router, with the guard that sends anyone without a session to login, remembering the page. */
export function createAppRouter(pinia: Pinia) {
  const router = createRouter({ history: createWebHistory(), routes });
  router.beforeEach(async (to) => {
    const session = useSessionStore(pinia);
    if (!session.checked) await session.load();
    if (to.meta.public === true) return true;
    if (!session.signedIn) return { name: 'login', query: { redirect: to.fullPath } };
    return true;
  });
  router.afterEach((to) => {
    document.title = to.meta.title === undefined ? 'Flotilla' : `${to.meta.title} · Flotilla`;
  });
  return router;
}
