import type { FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { FlotillaError } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';

/** Largest agent frame accepted; bigger ones close the socket (1009) before any parsing. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** `GET /agent/v1/connect`: the agent channel. Authentication happens inside, by signed challenge. */
export async function hubPlugin(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // No per-message compression: it costs ~300 KB per connection (SPEC §13: ≤ 8 KB per idle agent).
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false } });
  app.route({
    method: 'GET',
    url: '/agent/v1/connect',
    // A plain HTTP request gets a problem document (the plugin's default is an empty 404).
    handler: () => {
      throw new FlotillaError('WEBSOCKET_REQUIRED', { detail: 'Connect with a WebSocket upgrade (flotilla agent does)' });
    },
    wsHandler: (socket, request) => {
      ctx.hub.accept(socket, request.log);
    },
  });
}
