import { FlotillaError, isFlotillaError } from '@flotilla/protocol';
import type { ServerFrame } from '@flotilla/protocol';

/**
 * The agent channel's `toProblem`: any error raised while handling a frame becomes an `error`
 * frame. Known errors keep their code; anything else is `INTERNAL` without internals. (Frames
 * are decoded by the protocol's codec, `decodeAgentFrame`.)
 */
export function toErrorFrame(err: unknown): Extract<ServerFrame, { type: 'error' }> {
  const known = isFlotillaError(err)
    ? err
    : new FlotillaError('INTERNAL', { detail: 'internal error while handling the frame' });
  return { type: 'error', code: known.code, message: known.message };
}
