import type { FastifyInstance } from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { FlotillaError, MAX_AGENT_FRAME_BYTES } from '@flotilla/protocol';
import type { ServerContext } from '../server-context.js';

/**
 * What the WebSocket layer buffers at most. A frame over `MAX_AGENT_FRAME_BYTES` but under this is
 * answered by the connection with `error FRAME_TOO_LARGE` before the 1009 close, so the agent
 * knows why; a bigger one is cut off by `ws` itself (a bare 1009 close) without being buffered.
 */
const WS_MAX_PAYLOAD_BYTES = 2 * MAX_AGENT_FRAME_BYTES;

/** `GET /agent/v1/connect`: the agent channel. Authentication happens inside, by signed challenge. */
export async function hubPlugin(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  // No per-message compression: it costs ~300 KB per connection (SPEC §13: ≤ 8 KB per idle agent).
  await app.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_PAYLOAD_BYTES, perMessageDeflate: false } });
  app.route({
    method: 'GET',
    url: '/agent/v1/connect',
    // A plain HTTP request gets a problem document (the plugin's default is an empty 404).
    handler: () => {
      throw new FlotillaError('WEBSOCKET_REQUIRED', {
        detail: 'Connect with a WebSocket upgrade (flotilla agent does)',
      });
    },
    wsHandler: (socket, request) => {
      ctx.hub.accept(socket, request.log, request.ip);
    },
  });
}
