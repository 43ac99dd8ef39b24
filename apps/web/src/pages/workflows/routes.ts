import type { RouteRecordRaw } from 'vue-router';

/** Workflows (list, detail with versions and diffs, run form) and log search across runs. */
export const workflowsRoutes: RouteRecordRaw[] = [
  {
    path: '/workflows',
    name: 'workflows',
    component: () => import('./WorkflowsPage.vue'),
    meta: { title: 'Workflows', nav: { label: 'Workflows', order: 40 } },
  },
  {
    path: '/workflows/:id',
    name: 'workflow',
    component: () => import('./WorkflowDetailPage.vue'),
    meta: { title: 'Workflow', section: 'workflows' },
  },
  {
    path: '/workflows/:id/run',
    name: 'workflow-run',
    component: () => import('./WorkflowRunPage.vue'),
    meta: { title: 'Run workflow', section: 'workflows' },
  },
  {
    path: '/logs',
    name: 'logs',
    component: () => import('./LogSearchPage.vue'),
    meta: { title: 'Log search', nav: { label: 'Log search', order: 50 } },
  },
];
