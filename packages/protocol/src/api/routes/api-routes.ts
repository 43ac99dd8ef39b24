import { agentRoutes, enrollmentTokenRoutes } from './agent-routes.js';
import { apiTokenRoutes, authRoutes } from './auth-routes.js';
import { eventRoutes } from './event-routes.js';
import { auditRoutes, secretRoutes } from './governance-routes.js';
import { jobRoutes, logRoutes } from './job-routes.js';
import { metaRoutes } from './platform-routes.js';
import { projectRoutes, teamRoutes, tenantRoutes, userRoutes } from './tenancy-routes.js';
import { workflowRoutes } from './workflow-routes.js';

/**
 * Every `/api/v1` route, declared once, by area. The server registers a handler per contract
 * (and refuses an `/api/v1` route that is not here), the OpenAPI document is generated from it,
 * and the client maps it into `client.api.<area>.<name>(…)`. Adding a route is one contract in
 * its area file plus one handler.
 */
export const apiRoutes = {
  auth: authRoutes,
  apiTokens: apiTokenRoutes,
  tenants: tenantRoutes,
  projects: projectRoutes,
  users: userRoutes,
  teams: teamRoutes,
  enrollmentTokens: enrollmentTokenRoutes,
  agents: agentRoutes,
  jobs: jobRoutes,
  logs: logRoutes,
  events: eventRoutes,
  workflows: workflowRoutes,
  secrets: secretRoutes,
  audit: auditRoutes,
  meta: metaRoutes,
};

/** The shape of `apiRoutes`, for code that maps over it (the client's derived API). */
export type ApiRoutes = typeof apiRoutes;
