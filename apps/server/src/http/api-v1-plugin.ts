import type { FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { FlotillaError } from '@flotilla/protocol';
import { authPlugin } from '../auth/auth-plugin.js';
import { authRoutes } from '../auth/auth-routes.js';
import { agentRoutes } from '../agents/agent-routes.js';
import { enrollmentTokenRoutes } from '../agents/enrollment-token-routes.js';
import { jobRoutes } from '../jobs/job-routes.js';
import type { ServerContext } from '../server-context.js';

/** Everything under `/api/v1`: bearer authentication for all routes not marked public. */
export async function apiV1Plugin(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // Only routes that ask for it (login) are limited; the error goes through the one error handler.
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new FlotillaError('RATE_LIMITED', { detail: `Too many attempts; retry in ${Math.ceil(context.ttl / 1000)} s` }),
  });
  await app.register(authPlugin, ctx);
  await app.register(authRoutes, ctx);
  await app.register(enrollmentTokenRoutes, ctx);
  await app.register(agentRoutes, ctx);
  await app.register(jobRoutes, ctx);
}
