import type { RouteRecordRaw } from 'vue-router';

/** The fleet: agents, their detail, enrolment. */
export const fleetRoutes: RouteRecordRaw[] = [
  {
    path: '/fleet',
    name: 'fleet',
    component: () => import('./FleetPage.vue'),
    meta: { title: 'Fleet', nav: { label: 'Fleet', order: 10 } },
  },
  {
    path: '/fleet/agents/:id',
    name: 'agent',
    component: () => import('./AgentPage.vue'),
    props: true,
    meta: { title: 'Agent', section: 'fleet' },
  },
];
