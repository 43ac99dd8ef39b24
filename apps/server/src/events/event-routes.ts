import type { FastifyInstance, FastifyRequest } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { watchCredential } from '../auth/credential-watch.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { permittedTypes } from './event-access.js';
import { streamUiEvents } from './event-stream.js';
import { feedRing } from './ui-event-feed.js';
import { UiEventRing } from './ui-event-ring.js';

/** The longest `Last-Event-ID` looked at; a longer one is no id of ours (a reset follows). */
const MAX_EVENT_ID_CHARS = 100;

/**
 * The id to resume after: the `Last-Event-ID` header (what `EventSource` sends on its own
 * reconnects, newer than the URL it reuses), else `?lastEventId=`.
 */
function lastEventIdOf(request: FastifyRequest, query: string | undefined): string | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return header.slice(0, MAX_EVENT_ID_CHARS);
  return query === '' ? undefined : query;
}

/**
 * `GET /api/v1/events`: the UI's live view of its project. One ring per replica records the
 * UI events of the cluster bus from the start of the server, so a stream that dropped resumes
 * where it was, whether or not another stream was open meanwhile.
 */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const ring = new UiEventRing();
  const stopFeed = feedRing(ctx.bus.events, ring);
  const streams = new Set<() => void>();
  app.addHook('preClose', () => {
    for (const end of [...streams]) end();
    return Promise.resolve();
  });
  app.addHook('onClose', () => {
    stopFeed();
    return Promise.resolve();
  });

  route(app, apiRoutes.events.stream, async ({ request, reply, principal, query }) => {
    const db = ctx.store.db;
    const requested = query.types;
    const types = await permittedTypes(db, principal, requested);
    if (types.size === 0) throw new FlotillaError('FORBIDDEN', { detail: 'No right to any of these event types' });
    // The stream lives as long as the credential that opened it: revoked or expired, it ends.
    const credentialGone = new AbortController();
    const unwatch = await watchCredential({
      db,
      revocations: ctx.credentials,
      principal,
      onEnd: (reason) => {
        credentialGone.abort(reason);
      },
    });
    reply.raw.once('close', unwatch);
    try {
      streamUiEvents({
        ring,
        reply,
        filter: { tenantId: principal.tenantId, projectId: principal.projectId, types, jobId: query.jobId },
        lastEventId: lastEventIdOf(request, query.lastEventId),
        streams,
        recheck: () => permittedTypes(db, principal, requested),
        signal: credentialGone.signal,
        log: request.log,
      });
    } catch (err) {
      unwatch();
      throw err;
    }
    return reply;
  });
  return Promise.resolve();
}
