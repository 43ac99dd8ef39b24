import type { RouteRecordRaw } from 'vue-router';

/** Pages of the admin area (see docs/ui.md). */
export const adminRoutes: RouteRecordRaw[] = [];
