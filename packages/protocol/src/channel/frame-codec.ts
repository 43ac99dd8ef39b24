import type { z } from 'zod';
import { AgentFrameSchema, MAX_AGENT_FRAME_BYTES, ServerFrameSchema } from '../agent-channel.js';
import type { AgentFrame, ServerFrame } from '../agent-channel.js';
import type { ErrorCode } from '../errors.js';

/**
 * The agent channel's frame codec, the one parser of frames at the edge of both ends. A frame
 * goes out as `JSON.stringify(frame)` in one text message; what comes in is checked here, in
 * this order: its size in bytes (before anything else is done with it), that it is text, that
 * the text is JSON, and that the JSON is a frame of the schema. Failures are returned with the
 * code to answer them with, never thrown: a peer's bad frame must not crash the receiver.
 */

/** The bytes of one message as a WebSocket delivers it: whole, or as its fragments. */
export type FrameData = Uint8Array | readonly Uint8Array[];

/** A decoded frame, or why the message is not one (answered with `error {code, message}`). */
export type DecodedFrame<T> =
  | { readonly ok: true; readonly frame: T }
  | {
      readonly ok: false;
      readonly code: Extract<ErrorCode, 'PROTOCOL_ERROR' | 'FRAME_TOO_LARGE'>;
      readonly message: string;
      /** The message's size in bytes. */
      readonly bytes: number;
    };

// Buffer.toString and TextDecoder take the same time on Node 20 (both use simdutf); this one is
// also what a browser has. Invalid UTF-8 becomes U+FFFD, as with Buffer.
const utf8 = new TextDecoder();

/** Decodes what an agent sent the control plane; bigger than `MAX_AGENT_FRAME_BYTES` is `FRAME_TOO_LARGE`. */
export function decodeAgentFrame(data: FrameData, binary: boolean): DecodedFrame<AgentFrame> {
  return decodeFrame(AgentFrameSchema, data, binary, MAX_AGENT_FRAME_BYTES);
}

/**
 * Decodes what the control plane sent an agent. Server frames have no size limit of the
 * protocol (a job offer carries a whole workflow); the agent's transport bounds them.
 */
export function decodeServerFrame(data: FrameData, binary: boolean): DecodedFrame<ServerFrame> {
  return decodeFrame(ServerFrameSchema, data, binary, Number.POSITIVE_INFINITY);
}

function decodeFrame<T>(schema: z.ZodType<T>, data: FrameData, binary: boolean, maxBytes: number): DecodedFrame<T> {
  const bytes = byteLength(data);
  if (bytes > maxBytes) {
    return {
      ok: false,
      code: 'FRAME_TOO_LARGE',
      message: `a frame of ${bytes} bytes is over the ${maxBytes}-byte limit of the agent channel`,
      bytes,
    };
  }
  if (binary) return invalid('binary frames are not part of the protocol; send JSON text', bytes);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(concat(data)));
  } catch {
    return invalid('frame is not valid JSON', bytes);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
    return invalid(`invalid frame${where}: ${issue?.message ?? 'does not match the protocol'}`, bytes);
  }
  return { ok: true, frame: parsed.data };
}

function invalid(message: string, bytes: number): DecodedFrame<never> {
  return { ok: false, code: 'PROTOCOL_ERROR', message, bytes };
}

function byteLength(data: FrameData): number {
  if (data instanceof Uint8Array) return data.byteLength;
  let sum = 0;
  for (const part of data) sum += part.byteLength;
  return sum;
}

function concat(data: FrameData): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const whole = new Uint8Array(byteLength(data));
  let offset = 0;
  for (const part of data) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}
