/** One message of the UI event stream as it came off the wire (`data` parsed as JSON). */
export interface StreamMessage {
  id: string | undefined;
  event: string;
  /** The JSON data (a UI event, or a control message); schemas are asserted where it matters. */
  data: Record<string, unknown>;
}

/** The `n` of an event id `<epoch>.<n>`. */
export function positionOf(id: string | undefined): number {
  const n = Number(id?.split('.')[1]);
  if (!Number.isInteger(n)) throw new Error(`not an event id: ${String(id)}`);
  return n;
}

/**
 * A client of `GET /api/v1/events` over real HTTP for tests: it reads messages as they come and
 * waits for one that matches. Written apart from `@flotilla/client` on purpose: the server's
 * tests check the wire, not the client's reading of it.
 */
export class EventStreamReader {
  readonly messages: StreamMessage[] = [];
  /** Ids of blocks without data (a heartbeat that moves the id on). */
  lastId: string | undefined;
  readonly ended: Promise<void>;
  private readonly waiters = new Set<() => void>();
  private done = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read().finally(() => {
      this.done = true;
      for (const wake of this.waiters) wake();
    });
  }

  /** Opens a stream; `url` is the full URL with its query. Throws unless the answer is a stream. */
  static async open(url: string, token: string, options: { lastEventId?: string } = {}): Promise<EventStreamReader> {
    const abort = new AbortController();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const response = await fetch(url, { headers, signal: abort.signal });
    if (response.status !== 200) throw new Error(`event stream refused: ${response.status} ${await response.text()}`);
    return new EventStreamReader(response, abort);
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.block(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted && !(err instanceof TypeError)) throw err;
    }
  }

  private block(block: string): void {
    const id = /^id: (.*)$/m.exec(block)?.[1];
    if (id !== undefined) this.lastId = id;
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (data === undefined) return;
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
    this.messages.push({ id, event, data: JSON.parse(data) as Record<string, unknown> });
    for (const wake of this.waiters) wake();
  }

  /** Messages that are UI events (not `ready`, `reset` or `problem`). */
  events(): StreamMessage[] {
    return this.messages.filter((m) => !['ready', 'reset', 'problem'].includes(m.event));
  }

  /** Waits until a message matches (looking at every message so far); returns it. */
  async next(match: (m: StreamMessage) => boolean, what: string, timeoutMs = 5000): Promise<StreamMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found !== undefined) return found;
      if (this.done) throw new Error(`stream ended before ${what}; got ${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; got ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  private describe(): string {
    return JSON.stringify(this.messages.map((m) => `${m.event} ${JSON.stringify(m.data)}`)).slice(0, 2000);
  }

  /** Drops the connection (as a network failure or a closed tab would). */
  async close(): Promise<void> {
    this.abort.abort();
    await this.ended;
  }
}
