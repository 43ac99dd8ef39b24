import { AgentFrameSchema, FlotillaError, isFlotillaError } from '@flotilla/protocol';
import type { AgentFrame, ServerFrame } from '@flotilla/protocol';

/** A decoded agent frame, or the reason it is not one. */
export type DecodedFrame = { ok: true; frame: AgentFrame } | { ok: false; message: string };

/** Bytes of a WebSocket message as `ws` delivers it (a Buffer, fragments, or an ArrayBuffer). */
export function messageBytes(data: unknown): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return (data as Buffer[]).reduce((sum, part) => sum + part.length, 0);
  if (data instanceof ArrayBuffer) return data.byteLength;
  return Buffer.byteLength(String(data), 'utf8');
}

/** Parses one WebSocket message at the edge of the channel. Never throws. */
export function decodeAgentFrame(data: unknown, isBinary: boolean): DecodedFrame {
  if (isBinary) return { ok: false, message: 'binary frames are not part of the protocol; send JSON text' };
  const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data as Buffer[]).toString('utf8') : String(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  const result = AgentFrameSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
    return { ok: false, message: `invalid frame${where}: ${issue?.message ?? 'does not match the protocol'}` };
  }
  return { ok: true, frame: result.data };
}

/**
 * The agent channel's `toProblem`: any error raised while handling a frame becomes an `error`
 * frame. Known errors keep their code; anything else is `INTERNAL` without internals.
 */
export function toErrorFrame(err: unknown): Extract<ServerFrame, { type: 'error' }> {
  const known = isFlotillaError(err) ? err : new FlotillaError('INTERNAL', { detail: 'internal error while handling the frame' });
  return { type: 'error', code: known.code, message: known.message };
}
