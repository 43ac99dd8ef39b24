import type { FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { FlotillaError } from '@flotilla/protocol';
import { authPlugin } from '../auth/auth-plugin.js';
import { authRoutes } from '../auth/auth-routes.js';
import { agentRoutes } from '../agents/agent-routes.js';
import { enrollmentTokenRoutes } from '../agents/enrollment-token-routes.js';
import { jobRoutes } from '../jobs/job-routes.js';
import { logRoutes } from '../logs/log-routes.js';
import { eventRoutes } from '../events/event-routes.js';
import { auditRoutes } from '../audit/audit-routes.js';
import { secretRoutes } from '../secrets/secret-routes.js';
import type { ServerContext } from '../server-context.js';
import { workflowRoutes } from '../workflows/workflow-routes.js';
import { openApiRoutes } from '../openapi/openapi-routes.js';
import { apiTokenRoutes } from '../auth/api-token-routes.js';
import { tenancyRoutes } from '../tenancy/tenancy-routes.js';
import { teamRoutes } from '../tenancy/team-routes.js';
import { agentLifecycleRoutes } from '../agents/agent-lifecycle-routes.js';

/** Everything under `/api/v1`: bearer authentication for all routes not marked public. */
export async function apiV1Plugin(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // Only routes that ask for it (login) are limited; the error goes through the one error handler.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new FlotillaError('RATE_LIMITED', { detail: `Too many attempts; retry in ${Math.ceil(context.ttl / 1000)} s` }),
  });
  // From here on, an /api/v1 route not registered from its contract in `apiRoutes` stops the server from starting.
  await app.register(authPlugin, { ...ctx, requireDeclarations: true });
  await app.register(authRoutes, ctx);
  await app.register(apiTokenRoutes, ctx);
  await app.register(tenancyRoutes, ctx);
  await app.register(teamRoutes, ctx);
  await app.register(enrollmentTokenRoutes, ctx);
  await app.register(agentRoutes, ctx);
  await app.register(agentLifecycleRoutes, ctx);
  await app.register(jobRoutes, ctx);
  await app.register(logRoutes, ctx);
  await app.register(eventRoutes, ctx);
  await app.register(workflowRoutes, ctx);
  await app.register(openApiRoutes, ctx);
  await app.register(secretRoutes, ctx);
  await app.register(auditRoutes, ctx);
}
