import { describe, expect, it } from 'vitest';
import { ChannelCloseCode, createLinkedTransports, decodeServerFrame, type Transport } from '@flotilla/protocol';

/** Records what an end receives, as text. */
function record(end: Transport): { messages: string[]; closes: [number, string][] } {
  const seen = { messages: [] as string[], closes: [] as [number, string][] };
  end.onMessage((data, binary) => {
    expect(binary).toBe(false);
    seen.messages.push(new TextDecoder().decode(data));
  });
  end.onClose((code, reason) => seen.closes.push([code, reason]));
  return seen;
}

describe('linked in-memory transports', () => {
  it('deliver each message to the other end, in order, later rather than inside send', async () => {
    const [a, b] = createLinkedTransports();
    const atB = record(b);
    const atA = record(a);
    expect(a.send('one')).toBe(true);
    expect(a.send('two')).toBe(true);
    b.send('back');
    expect(atB.messages).toEqual([]);
    await Promise.resolve();
    expect(atB.messages).toEqual(['one', 'two']);
    expect(atA.messages).toEqual(['back']);
  });

  it('hold what arrives before a receiver is set', async () => {
    const [a, b] = createLinkedTransports();
    a.send('{"type":"ping","ts":1}');
    await Promise.resolve();
    const received: unknown[] = [];
    b.onMessage((data, binary) => received.push(decodeServerFrame(data, binary)));
    expect(received).toEqual([{ ok: true, frame: { type: 'ping', ts: 1 } }]);
  });

  it('close both ends with the code and reason after what was sent before; sends fail from then on', async () => {
    const [a, b] = createLinkedTransports();
    const atA = record(a);
    const atB = record(b);
    a.send('last words');
    await a.close(ChannelCloseCode.messageTooBig, 'FRAME_TOO_LARGE');
    expect(atB.messages).toEqual(['last words']);
    expect(atB.closes).toEqual([[1009, 'FRAME_TOO_LARGE']]);
    expect(atA.closes).toEqual([[1009, 'FRAME_TOO_LARGE']]);
    expect(a.send('more')).toBe(false);
    expect(b.send('more')).toBe(false);
    await b.close(ChannelCloseCode.normal);
    expect(atB.closes).toHaveLength(1);
  });

  it('report a dropped connection as 1006 without a reason', async () => {
    const [a, b] = createLinkedTransports();
    const atB = record(b);
    await a.close(ChannelCloseCode.abnormal, 'ignored');
    await Promise.resolve();
    expect(atB.closes).toEqual([[1006, '']]);
  });
});
