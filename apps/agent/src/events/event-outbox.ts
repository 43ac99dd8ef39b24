import type { AgentFrame, RunEvent } from '@flotilla/protocol';
import type { AgentLogger } from '../logger.js';
import { OutboxFile, type RunEventFrame } from './outbox-file.js';
import { MAX_FRAME_CHARS, boundEvent } from './event-size.js';

/** Where the outbox delivers frames; `send` returns false while there is no session. */
export interface OutboxTransport {
  send(frame: AgentFrame): boolean;
}

/** Rewrite the file once this many acknowledged frames have piled up in it. */
const COMPACT_AFTER = 2000;
/** Log lines wait at most this long to be written and sent together (SPEC §13: agents batch lines). */
const BATCH_DELAY_MS = 20;
/** Events per `run.events` frame, and the backlog that flushes at once. */
const MAX_BATCH = 500;
/**
 * Events that end something go out at once, taking everything queued before them along. A start
 * (`run.started`, `step.started`) waits with the log lines, at most BATCH_DELAY_MS: a one-step
 * run then costs one write and one fdatasync for its start, its lines and its end, not three.
 */
const FLUSH_AT_ONCE: ReadonlySet<RunEvent['kind']> = new Set(['step.finished', 'run.finished']);

/**
 * Agent → server run events, durable and in order (SPEC §5.3, §6). Each event gets the next
 * per-agent sequence number, is appended to `<dataDir>/outbox.jsonl` (batched: one fdatasync
 * per batch, callers never wait), and only then sent. It stays until the server acknowledges it
 * cumulatively (`event.ack {seq}`); a new session replays everything after `welcome.lastEventSeq`.
 * Because nothing is sent before it is on disk, numbers are never reused or skipped across
 * restarts, which the server's contiguous acknowledgement relies on. Log lines are gathered for
 * up to 20 ms (or 500 events) and go out as `run.events` batches, and so do step and run starts;
 * step and run ends flush at once, taking everything before them along: a step's start and lines
 * are on disk as soon as its end is, so a crash right after a step cannot lose them.
 */
export class EventOutbox {
  readonly #file: OutboxFile;
  readonly #transport: OutboxTransport;
  readonly #logger: AgentLogger;
  /** Unacknowledged frames, in seq order; `#head` avoids O(n) shifts per ack. */
  #pending: RunEventFrame[];
  #head = 0;
  #unflushed: RunEventFrame[] = [];
  #durableSeq: number;
  #nextSeq: number;
  #ackedSinceCompaction = 0;
  #io: Promise<void> = Promise.resolve();
  #flushScheduled = false;
  #batchTimer: NodeJS.Timeout | undefined;
  #drainWaiters: (() => void)[] = [];

  private constructor(
    file: OutboxFile,
    frames: RunEventFrame[],
    highestSeq: number,
    transport: OutboxTransport,
    logger: AgentLogger,
  ) {
    this.#file = file;
    this.#pending = frames;
    this.#durableSeq = highestSeq;
    this.#nextSeq = highestSeq + 1;
    this.#transport = transport;
    this.#logger = logger;
  }

  /** Opens the outbox in `dataDir`, keeping what a previous process did not deliver. */
  static async open(dataDir: string, transport: OutboxTransport, logger: AgentLogger): Promise<EventOutbox> {
    const { file, contents } = await OutboxFile.open(dataDir);
    return new EventOutbox(file, contents.frames, contents.highestSeq, transport, logger);
  }

  /** Events not yet acknowledged by the server. */
  get size(): number {
    return this.#pending.length - this.#head;
  }

  /** Numbers and queues an event; it is written and sent in the background. */
  push(runId: string, event: RunEvent): number {
    const frame: RunEventFrame = { type: 'run.event', seq: this.#nextSeq, runId, event: boundEvent(event) };
    this.#nextSeq += 1;
    this.#pending.push(frame);
    this.#unflushed.push(frame);
    if (FLUSH_AT_ONCE.has(event.kind) || this.#unflushed.length >= MAX_BATCH) this.#flushSoon();
    else
      this.#batchTimer ??= setTimeout(() => {
        this.#batchTimer = undefined;
        this.#flushSoon();
      }, BATCH_DELAY_MS);
    return frame.seq;
  }

  /** Drops everything up to and including `seq`. */
  ack(seq: number): void {
    const before = this.#head;
    while (this.#head < this.#pending.length && (this.#pending[this.#head]?.seq ?? Infinity) <= seq) this.#head += 1;
    this.#ackedSinceCompaction += this.#head - before;
    if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    if (this.#ackedSinceCompaction >= COMPACT_AFTER) {
      this.#ackedSinceCompaction = 0;
      this.#io = this.#io.then(() => this.#compact());
    }
    if (this.size === 0) for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  /** A new session: drop what the server already has, resend the durable rest in order. */
  resume(lastEventSeq: number): void {
    if (lastEventSeq >= this.#nextSeq) {
      // Only possible if this data dir lost events the server has; never reuse their numbers.
      this.#logger.warn({ lastEventSeq, nextSeq: this.#nextSeq }, 'server knows later events than this agent');
      this.#nextSeq = lastEventSeq + 1;
      this.#durableSeq = Math.max(this.#durableSeq, lastEventSeq);
    }
    this.ack(lastEventSeq);
    const durable: RunEventFrame[] = [];
    for (let i = this.#head; i < this.#pending.length; i += 1) {
      const frame = this.#pending[i];
      if (frame === undefined || frame.seq > this.#durableSeq) break;
      durable.push(frame);
    }
    this.#send(durable);
  }

  /** Resolves true when everything is acknowledged, false after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.size === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, timeoutMs);
      this.#drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Writes what is queued and closes the file. */
  async close(): Promise<void> {
    if (this.#unflushed.length > 0) this.#flushSoon();
    await this.#io;
    await this.#file.close();
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#unflushed;
    this.#unflushed = [];
    try {
      await this.#file.append(batch);
    } catch (err) {
      // Delivery beats durability when the disk fails: the events still go out, logged.
      this.#logger.error({ err }, 'cannot write the outbox; sending events without a disk copy');
    }
    const last = batch.at(-1);
    if (last !== undefined) this.#durableSeq = last.seq;
    const acked = this.#pending[this.#head]?.seq ?? Infinity;
    this.#send(batch.filter((frame) => frame.seq >= acked));
  }

  #flushSoon(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#io = this.#io.then(() => this.#flush());
  }

  /**
   * Sends frames in order, at most MAX_BATCH events and about MAX_FRAME_CHARS per `run.events`
   * frame (the server refuses frames over 1 MiB); stops when the session is gone.
   */
  #send(frames: readonly RunEventFrame[]): void {
    let start = 0;
    while (start < frames.length) {
      let end = start;
      let chars = 0;
      while (end < frames.length && end - start < MAX_BATCH) {
        const size = JSON.stringify(frames[end]?.event).length;
        if (end > start && chars + size > MAX_FRAME_CHARS) break;
        chars += size;
        end += 1;
      }
      const chunk = frames.slice(start, end);
      start = end;
      const only = chunk.length === 1 ? chunk[0] : undefined;
      const frame: AgentFrame = only ?? {
        type: 'run.events',
        items: chunk.map(({ seq, runId, event }) => ({ seq, runId, event })),
      };
      if (!this.#transport.send(frame)) return;
    }
  }

  async #compact(): Promise<void> {
    const durable = this.#pending.slice(this.#head).filter((f) => f.seq <= this.#durableSeq);
    try {
      await this.#file.compact(durable, this.#durableSeq);
    } catch (err) {
      this.#logger.error({ err }, 'cannot compact the outbox');
    }
  }
}
