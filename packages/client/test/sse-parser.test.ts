import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '@flotilla/client';

function parse(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const chunk of chunks) parser.feed(chunk);
  return events;
}

describe('SseParser', () => {
  it('parses named events with JSON data', () => {
    expect(parse(['event: log\ndata: {"a":1}\n\nevent: end\ndata: {}\n\n'])).toEqual([
      { event: 'log', data: '{"a":1}', id: undefined },
      { event: 'end', data: '{}', id: undefined },
    ]);
  });

  it('joins data lines, defaults the event name, keeps the id and ignores comments', () => {
    expect(parse([': keep-alive\n', 'id: 7\ndata: one\ndata:two\n\n'])).toEqual([
      { event: 'message', data: 'one\ntwo', id: '7' },
    ]);
  });

  it('handles events split across chunks at any point, and CRLF / CR line ends', () => {
    const text = 'event: log\r\ndata: {"x":"y"}\r\n\r\nevent: state\rdata: 2\r\r\n';
    const whole = parse([text]);
    for (let i = 1; i < text.length; i++) expect(parse([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(whole.map((e) => [e.event, e.data])).toEqual([
      ['log', '{"x":"y"}'],
      ['state', '2'],
    ]);
  });

  it('dispatches nothing for an event without data or an unterminated event', () => {
    expect(parse(['event: empty\n\n', 'event: log\ndata: partial'])).toEqual([]);
  });

  it('tracks the id of the last complete block, with data or without, never of one cut off', () => {
    const parser = new SseParser(() => undefined);
    expect(parser.lastEventId).toBeUndefined();
    parser.feed('id: e.1\nevent: a\ndata: x\n\n');
    expect(parser.lastEventId).toBe('e.1');
    // A heartbeat that moves the id on (what a resume should send from then on).
    parser.feed('id: e.5\n: heartbeat\n\n');
    expect(parser.lastEventId).toBe('e.5');
    parser.feed('id: e.6\nevent: a\ndata: cut off here');
    expect(parser.lastEventId).toBe('e.5');
  });
});
