import { accessDocs } from './areas/access-docs.js';
import { governanceDocs } from './areas/governance-docs.js';
import { jobDocs } from './areas/job-docs.js';
import { platformDocs } from './areas/platform-docs.js';
import { workflowDocs } from './areas/workflow-docs.js';
import { tenancyDocs } from './areas/tenancy-docs.js';
import type { RouteDoc } from './route-doc.js';

/**
 * Every documented route. Each area keeps its descriptions in one file (`areas/*-docs.ts`, one
 * line per route); a new area is one file plus one line here. The OpenAPI test fails naming any
 * route the server registers that is missing here (and any entry here that no longer exists).
 */
export const ROUTE_DOCS: readonly RouteDoc[] = [
  ...platformDocs,
  ...accessDocs,
  ...jobDocs,
  ...workflowDocs,
  ...governanceDocs,
  ...tenancyDocs,
];
