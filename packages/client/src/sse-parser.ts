/** One Server-Sent Event: `event` defaults to `message`, `data` joins multi-line data with `\n`. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Incremental parser for the `text/event-stream` format (WHATWG HTML §9.2): feed it decoded
 * text in chunks of any size; it calls `onEvent` for each complete event. Comments (`:`) and
 * `retry:` are ignored, as the client reconnects on its own terms.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private dispatchedId: string | undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /**
   * The last event id as of the last complete event, including one without data (a server may
   * move the id on with a heartbeat): what a reconnect sends as `Last-Event-ID`. An `id:` line of
   * an event cut off before its end does not count.
   */
  get lastEventId(): string | undefined {
    return this.dispatchedId;
  }

  feed(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A trailing `\r` may be the first half of `\r\n`: wait for the next chunk to decide.
      if (match === null || (match[0] === '\r' && match.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(): void {
    this.dispatchedId = this.id;
    if (this.data.length > 0) {
      this.onEvent({ event: this.event === '' ? 'message' : this.event, data: this.data.join('\n'), id: this.id });
    }
    this.event = '';
    this.data = [];
  }
}
