import type { RouteRecordRaw } from 'vue-router';

/** Pages of the admin area: secrets, tokens, access and audit (see docs/ui.md). */
export const adminRoutes: RouteRecordRaw[] = [
  {
    path: '/secrets',
    name: 'secrets',
    component: () => import('./SecretsPage.vue'),
    meta: { title: 'Secrets', nav: { label: 'Secrets', order: 60 }, permission: 'secrets:read' },
  },
  {
    path: '/tokens',
    name: 'tokens',
    component: () => import('./TokensPage.vue'),
    meta: { title: 'Tokens', nav: { label: 'Tokens', order: 70 } },
  },
  {
    path: '/access',
    name: 'access',
    component: () => import('./AccessPage.vue'),
    meta: { title: 'Access', nav: { label: 'Access', order: 80 }, permission: 'tenancy:admin' },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('./AuditPage.vue'),
    meta: { title: 'Audit', nav: { label: 'Audit', order: 90 }, permission: 'audit:read' },
  },
];
