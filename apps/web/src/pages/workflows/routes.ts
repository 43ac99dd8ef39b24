import type { RouteRecordRaw } from 'vue-router';

/** Pages of the workflows area (see docs/ui.md). */
export const workflowsRoutes: RouteRecordRaw[] = [];
