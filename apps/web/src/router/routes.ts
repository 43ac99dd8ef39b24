import type { RouteRecordRaw } from 'vue-router';
import { fleetRoutes } from '../pages/fleet/routes';
import { jobsRoutes } from '../pages/jobs/routes';
import { workflowsRoutes } from '../pages/workflows/routes';
import { adminRoutes } from '../pages/admin/routes';
import { aboutRoutes } from '../pages/about/routes';

/**
 * Every page of the UI, area by area (each area's folder declares its own). Each page is its own
 * chunk (route-level code splitting): the first load carries only the shell and the page it opens.
 * A page with `meta.nav` is in the side menu.
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('../pages/LoginPage.vue'),
    meta: { public: true, title: 'Sign in' },
  },
  { path: '/', redirect: { name: 'fleet' } },
  ...fleetRoutes,
  ...jobsRoutes,
  ...workflowsRoutes,
  ...adminRoutes,
  ...aboutRoutes,
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../pages/NotFoundPage.vue'),
    meta: { title: 'Not found' },
  },
];
