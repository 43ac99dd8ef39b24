import type { FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import type { ServerContext } from '../server-context.js';

/** Largest agent frame accepted; bigger ones close the socket (1009) before any parsing. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** `GET /agent/v1/connect`: the agent channel. Authentication happens inside, by signed challenge. */
export async function hubPlugin(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // No per-message compression: it costs ~300 KB per connection (SPEC §13: ≤ 8 KB per idle agent).
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false } });
  app.get('/agent/v1/connect', { websocket: true }, (socket, request) => {
    ctx.hub.accept(socket, request.log);
  });
}
