import type { RouteRecordRaw } from 'vue-router';

/** Version and readiness of the control plane. */
export const aboutRoutes: RouteRecordRaw[] = [
  {
    path: '/about',
    name: 'about',
    component: () => import('./AboutPage.vue'),
    meta: { title: 'About', nav: { label: 'About', order: 100 } },
  },
];
