import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { FlotillaError } from '@flotilla/protocol';
import type { Problem } from '@flotilla/protocol';
import { toProblem } from './to-problem.js';

/** Sends a problem document with its status and media type. */
export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/**
 * Installs the error and not-found handlers for the whole app (hence `fastify-plugin`: they
 * must not be encapsulated). Unexpected errors are logged with their cause; clients get only
 * the problem document.
 */
export const errorHandlerPlugin = fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((err, request, reply) => {
      const { problem, expected } = toProblem(err, request.url);
      if (expected) request.log.info({ code: problem.code, status: problem.status }, 'request refused');
      else request.log.error({ err }, 'request failed');
      return sendProblem(reply, problem);
    });
    app.setNotFoundHandler((request, reply) => {
      const problem = new FlotillaError('ROUTE_NOT_FOUND', {
        detail: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      }).toProblem();
      return sendProblem(reply, problem);
    });
  },
  { name: 'flotilla-error-handler' },
);
