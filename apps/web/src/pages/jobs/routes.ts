import type { RouteRecordRaw } from 'vue-router';

/** Pages of the jobs area (see docs/ui.md). */
export const jobsRoutes: RouteRecordRaw[] = [];
