import { defineRoute } from '../contract/define-route.js';
import { media, problem } from '../contract/responses.js';
import { EventStreamQuerySchema } from '../events.js';

/** The UI event stream: what changed in the project, live, resumable. */
export const eventRoutes = {
  stream: defineRoute({
    method: 'GET',
    path: '/api/v1/events',
    summary: 'Live events of the project for the UI (server-sent events, resumable with `Last-Event-ID`)',
    // Every project read right opens it (today they are one level); each event is then sent only
    // with the right its type needs (agents, jobs, logs: `events/event-access.ts`).
    permission: 'agents:read',
    query: EventStreamQuerySchema,
    responses: {
      200: media(
        'text/event-stream',
        '`ready` first, then one event per change (`agent.changed`, `agent.pending`, `job.created`, `run.changed`, `job.logs`, `rollout.changed`), `reset` when events were missed, `problem` before the server ends it',
      ),
      400: problem,
    },
  }),
};
