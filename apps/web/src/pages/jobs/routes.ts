import type { RouteRecordRaw } from 'vue-router';

/** Pages of the jobs area (see docs/ui.md): the list, one job live, running a command. */
export const jobsRoutes: RouteRecordRaw[] = [
  {
    path: '/jobs',
    name: 'jobs',
    component: () => import('./JobsPage.vue'),
    meta: { title: 'Jobs', nav: { label: 'Jobs', order: 20 } },
  },
  {
    path: '/jobs/:id',
    name: 'job',
    component: () => import('./JobDetailPage.vue'),
    meta: { title: 'Job', section: 'jobs' },
  },
  {
    path: '/run',
    name: 'run',
    component: () => import('./RunCommandPage.vue'),
    meta: { title: 'Run a command', nav: { label: 'Run a command', order: 30 } },
  },
];
