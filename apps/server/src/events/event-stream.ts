import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { FlotillaError } from '@flotilla/protocol';
import type { EventStreamReady, EventStreamReset, UiEventType } from '@flotilla/protocol';
import { passes } from './event-access.js';
import type { EventFilter } from './event-access.js';
import type { UiEventRing } from './ui-event-ring.js';

/** Comment lines keep proxies and clients from timing out an idle stream. */
const HEARTBEAT_MS = 15_000;

/** A client that takes nothing for this long (its socket stays full) is cut off; it resumes on reconnect. */
const STALL_MS = 60_000;

/**
 * Text a stream may have waiting for its socket before it stops writing until the socket drains
 * (about 5,000 events): a burst (a rollout cancelling thousands of runs in one write) goes out
 * whole, and a client that does not read holds at most this much, never a growing queue.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface UiEventStreamOptions {
  readonly ring: UiEventRing;
  readonly reply: FastifyReply;
  /** Who gets what; its `types` are replaced when the rights are checked again. */
  readonly filter: EventFilter;
  /** Resume after this id (`Last-Event-ID`), if any. */
  readonly lastEventId: string | undefined;
  /** Open streams, ended by the server on shutdown (an open stream would hold `close()` forever). */
  readonly streams: Set<() => void>;
  /** Checks the principal's rights again (each heartbeat): the types it may still receive. */
  readonly recheck: () => Promise<ReadonlySet<UiEventType>>;
  /**
   * Ends the stream when aborted (the credential that opened it was revoked or expired); a
   * `FlotillaError` reason is sent first as a `problem` event.
   */
  readonly signal: AbortSignal;
  readonly log: FastifyBaseLogger;
  /** @default 15_000 */
  readonly heartbeatMs?: number;
  /** @default 60_000 */
  readonly stallMs?: number;
  /** @default 1 MiB */
  readonly maxBufferedBytes?: number;
}

/**
 * `GET /api/v1/events` as Server-Sent Events: `ready` (its id is where the stream starts), a
 * `reset` when a resume is impossible, then every event of the ring this stream may see, each
 * with its ring id. The stream is pulled from the shared ring, not pushed into a queue of its
 * own: it keeps only a cursor (the last position it sent or skipped) and writes from there while
 * the socket takes more (up to `maxBufferedBytes` waiting), so a slow client costs one bounded
 * buffer, never a growing queue. A client that falls so far behind that the ring dropped what it
 * had not read gets `reset` and goes on from the newest event; one that reads nothing for
 * `stallMs` is cut off. The cursor only moves forward, and the ring is read and listened to in
 * one turn, so nothing is sent twice or skipped: the events after a resumed id are exactly those
 * the ring still holds after it.
 */
export function streamUiEvents(options: UiEventStreamOptions): void {
  const { ring, reply, filter, streams, signal, log } = options;
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const start = ring.resumePoint(options.lastEventId);
  /** Every event up to this position was sent, or is not for this stream. */
  let cursor = start.after;
  /** The last id the client was given: heartbeats move it up to `cursor`. */
  let given = cursor;
  /** Set while more than `maxBufferedBytes` waits for the socket, until it drains. */
  let blockedSince: number | undefined;
  let closed = false;

  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  /** Writes a message; false when the socket holds enough for now (write more once it drains). */
  const send = (event: string, data: unknown, id?: number): boolean => {
    if (id !== undefined) given = id;
    const idLine = id === undefined ? '' : `id: ${ring.idOf(id)}\n`;
    raw.write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    return raw.writableLength <= maxBuffered;
  };
  /** Writes what the ring holds after the cursor, until the socket is full. */
  const pump = (): void => {
    if (closed || blockedSince !== undefined) return;
    if (!ring.holdsAfter(cursor)) {
      cursor = ring.latest;
      if (!send('reset', { reason: 'fell-behind' } satisfies EventStreamReset, cursor)) {
        blockedSince = Date.now();
        return;
      }
    }
    for (const entry of ring.after(cursor)) {
      cursor = entry.n;
      if (passes(filter, entry) && !send(entry.event.type, entry.event, entry.n)) {
        blockedSince = Date.now();
        return;
      }
    }
  };
  const finish = (): void => {
    if (closed) return;
    closed = true;
    signal.removeEventListener('abort', stop);
    streams.delete(finish);
    clearInterval(heartbeat);
    unlisten();
    raw.end();
  };
  const fail = (problem: FlotillaError): void => {
    if (!closed) send('problem', problem.toProblem());
    finish();
  };
  /** Ended from outside: say why, then close. */
  function stop(): void {
    if (signal.reason instanceof FlotillaError) fail(signal.reason);
    else finish();
  }
  const beat = (): void => {
    if (closed) return;
    if (blockedSince !== undefined) {
      if (Date.now() - blockedSince > (options.stallMs ?? STALL_MS)) {
        log.info({ stalledMs: Date.now() - blockedSince }, 'event stream cut off: the client reads nothing');
        raw.destroy();
      }
      return;
    }
    // The client's id moves past events that were not for it, so its resume never asks for
    // events the ring has long dropped.
    const id = cursor > given ? `id: ${ring.idOf(cursor)}\n` : '';
    given = cursor;
    raw.write(`${id}: heartbeat\n\n`);
    options.recheck().then(
      (types) => {
        filter.types = types;
        if (types.size === 0) fail(new FlotillaError('FORBIDDEN', { detail: 'No access to these events any more' }));
      },
      (err: unknown) => {
        log.warn({ err }, 'event stream: rights not checked again');
      },
    );
  };

  const heartbeat = setInterval(beat, options.heartbeatMs ?? HEARTBEAT_MS);
  raw.on('drain', () => {
    blockedSince = undefined;
    pump();
  });
  // The response's `close` fires when the client goes away (or after `end`).
  raw.on('close', finish);
  streams.add(finish);
  const resumed = options.lastEventId !== undefined && start.missed === null;
  send('ready', { resumed } satisfies EventStreamReady, cursor);
  if (start.missed !== null) send('reset', { reason: start.missed } satisfies EventStreamReset);
  // Listening and reading the backlog in one turn: no event is pushed in between.
  const unlisten = ring.listen(pump);
  pump();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
}
