import { describe, expect, it } from 'vitest';
import { MAX_AGENT_FRAME_BYTES, decodeAgentFrame, decodeServerFrame } from '@flotilla/protocol';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const logFrame = (line: string) => ({
  type: 'run.event',
  seq: 1,
  runId: 'r1',
  event: { kind: 'log', ts: '2025-01-01T00:00:00.000Z', step: 's', stream: 'stdout', line },
});
/** A log frame of exactly `size` bytes of UTF-8, its line of 3-byte characters and ASCII. */
function frameOfBytes(size: number): Uint8Array {
  const empty = bytes(JSON.stringify(logFrame(''))).byteLength;
  const line = '界'.repeat(Math.floor((size - empty) / 3)) + 'x'.repeat((size - empty) % 3);
  const data = bytes(JSON.stringify(logFrame(line)));
  expect(data.byteLength).toBe(size);
  return data;
}

describe('frame codec', () => {
  it('decodes a frame of either side, whole or in fragments', () => {
    expect(decodeServerFrame(bytes('{"type":"ping","ts":5}'), false)).toEqual({
      ok: true,
      frame: { type: 'ping', ts: 5 },
    });
    const text = bytes('{"type":"event.ack","seq":7}');
    expect(decodeServerFrame([text.subarray(0, 5), text.subarray(5)], false)).toEqual({
      ok: true,
      frame: { type: 'event.ack', seq: 7 },
    });
    expect(decodeAgentFrame(bytes('{"type":"job.ack","runId":"r1"}'), false)).toMatchObject({
      ok: true,
      frame: { runId: 'r1' },
    });
  });

  it('answers binary, non-JSON and off-schema messages with PROTOCOL_ERROR and where it failed', () => {
    expect(decodeAgentFrame(bytes('{"type":"ping","ts":1}'), true)).toMatchObject({
      ok: false,
      code: 'PROTOCOL_ERROR',
      message: expect.stringContaining('binary'),
    });
    expect(decodeAgentFrame(bytes('garbage{'), false)).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: 'frame is not valid JSON',
    });
    expect(decodeServerFrame(bytes('{"type":"event.ack","seq":-1}'), false)).toMatchObject({
      code: 'PROTOCOL_ERROR',
      message: expect.stringMatching(/^invalid frame at seq: /),
    });
    // a server frame is not an agent frame
    expect(decodeAgentFrame(bytes('{"type":"event.ack","seq":1}'), false)).toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('measures agent frames in bytes: exactly MAX_AGENT_FRAME_BYTES passes, one byte more is FRAME_TOO_LARGE', () => {
    expect(decodeAgentFrame(frameOfBytes(MAX_AGENT_FRAME_BYTES), false)).toMatchObject({ ok: true });
    expect(decodeAgentFrame(frameOfBytes(MAX_AGENT_FRAME_BYTES + 1), false)).toMatchObject({
      ok: false,
      code: 'FRAME_TOO_LARGE',
      bytes: MAX_AGENT_FRAME_BYTES + 1,
    });
    // the size is checked first: an oversize binary message is too large, not binary
    expect(decodeAgentFrame(frameOfBytes(MAX_AGENT_FRAME_BYTES + 1), true)).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    // server frames (job offers carry whole workflows) are bounded by the agent's socket, not here
    const envelope = { payload: 'x'.repeat(MAX_AGENT_FRAME_BYTES), signature: 'c2lnbmF0dXJl' };
    const offer = bytes(JSON.stringify({ type: 'job.offer', envelope }));
    expect(decodeServerFrame(offer, false)).toMatchObject({ ok: true });
  });
});
