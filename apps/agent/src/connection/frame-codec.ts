import { ServerFrameSchema, type ServerFrame } from '@flotilla/protocol';
import type { RawData } from 'ws';

/** Outcome of decoding one inbound WebSocket message. */
export type DecodedFrame = { ok: true; frame: ServerFrame } | { ok: false; reason: string };

/**
 * Parses a server frame at the trust boundary. Binary frames, invalid JSON and frames that do
 * not match `ServerFrameSchema` are reported, never thrown.
 */
export function decodeServerFrame(data: RawData, isBinary: boolean): DecodedFrame {
  if (isBinary) return { ok: false, reason: 'binary frames are not part of the protocol' };
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Buffer.from(data).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  const parsed = ServerFrameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return { ok: false, reason: `invalid frame${where}: ${issue?.message ?? 'schema mismatch'}` };
  }
  return { ok: true, frame: parsed.data };
}
