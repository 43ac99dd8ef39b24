import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import { watchCredential } from '../auth/credential-watch.js';
import { route } from '../http/contract-route.js';
import { StepGraphCache } from '../jobs/job-detail.js';
import { getJob } from '../jobs/job-repo.js';
import type { ServerContext } from '../server-context.js';
import { followJob } from './follow-job.js';
import { readJobLogs } from './log-chunks.js';
import { searchLogs } from './log-search.js';

/** `GET /jobs/:id/logs[?follow=1]` and `GET /logs/search?q=`. */
export function logRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const streams = new Set<() => void>();
  const graphs = new StepGraphCache();
  app.addHook('preClose', () => {
    for (const end of [...streams]) end();
    return Promise.resolve();
  });
  route(app, apiRoutes.logs.list, async ({ request, reply, params: { id }, query }) => {
    // Scope check first: logs of another tenant's job are a 404 like the job itself.
    if ((await getJob(ctx.store.db, principalOf(request), id)) === undefined)
      throw new FlotillaError('JOB_NOT_FOUND', { detail: `No job ${id}` });
    if (query.follow === '1' || query.follow === 'true') {
      // The stream lives as long as the credential that opened it: revoked or expired, it ends.
      const credentialGone = new AbortController();
      const unwatch = await watchCredential({
        db: ctx.store.db,
        revocations: ctx.credentials,
        principal: principalOf(request),
        onEnd: (reason) => {
          credentialGone.abort(reason);
        },
      });
      reply.raw.once('close', unwatch);
      try {
        await followJob({
          ctx,
          request,
          reply,
          jobId: id,
          after: query.after,
          streams,
          graphs,
          signal: credentialGone.signal,
        });
      } catch (err) {
        unwatch();
        throw err;
      }
      return reply;
    }
    return readJobLogs(ctx.store.db, id, query);
  });

  route(app, apiRoutes.logs.search, async ({ request, query }) => {
    return searchLogs(ctx.store, principalOf(request), query);
  });
  return Promise.resolve();
}
