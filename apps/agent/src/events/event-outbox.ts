import type { AgentFrame, RunEvent } from '@flotilla/protocol';
import type { AgentLogger } from '../logger.js';
import { OutboxFile, type RunEventFrame } from './outbox-file.js';
import { DEFAULT_EVENT_LIMITS, boundEvent, eventFits, eventLimits, type EventLimits } from './event-size.js';
import { packRunEvents } from './frame-packer.js';
import { QUARANTINE_FILE, QuarantineFile, type QuarantineReason } from './quarantine-file.js';

/** Where the outbox delivers frames; `send` returns false while there is no session. */
export interface OutboxTransport {
  /** `text`, when given, is exactly `JSON.stringify(frame)`, already built: send it as is. */
  send(frame: AgentFrame, text?: string): boolean;
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
 * The smallest frame budget refusals can bring the outbox down to. A stand-in event (see
 * `standIn`) is a few KiB at most, so it fits; a control plane that refuses frames this small
 * is misconfigured, and the agent says so in its log at every refusal.
 */
export const MIN_FRAME_BYTES = 16 * 1024;
/** The error of a run some of whose events were cut after they were numbered (or added to its message). */
const CUT_RUN_NOTE =
  `events of this run were too large for the control plane and were cut; ` +
  `the originals are kept on the agent in ${QUARANTINE_FILE}`;

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
 *
 * Sizes are bytes of UTF-8 JSON, against the control plane's `MAX_AGENT_FRAME_BYTES`: events are
 * bounded when pushed (`boundEvent`) and frames are packed to the byte (`packRunEvents`). An
 * event numbered before it could fit (stored by an older agent version, or one the control
 * plane refused because its limit is smaller than ours) is cut and its original quarantined
 * (`outbox-quarantine.jsonl`); its run's `run.finished` then carries a `FRAME_TOO_LARGE` error.
 * A refused frame can therefore never be replayed unchanged forever.
 */
export class EventOutbox {
  readonly #file: OutboxFile;
  readonly #quarantine: QuarantineFile;
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
  /** Caps of events and frames; lowered by each refusal (`frameRefused`) for this process's lifetime. */
  #limits: EventLimits = DEFAULT_EVENT_LIMITS;
  /** Runs with events cut after they were numbered whose `run.finished` is not queued yet. */
  readonly #cutRuns = new Set<string>();

  private constructor(
    dataDir: string,
    file: OutboxFile,
    frames: RunEventFrame[],
    highestSeq: number,
    transport: OutboxTransport,
    logger: AgentLogger,
  ) {
    this.#file = file;
    this.#quarantine = new QuarantineFile(dataDir);
    // what a rewrite of the file holds: the durable frames not yet acknowledged
    file.holds(() => ({
      frames: this.#pending.slice(this.#head).filter((f) => f.seq <= this.#durableSeq),
      highestSeq: this.#durableSeq,
    }));
    this.#pending = frames;
    this.#durableSeq = highestSeq;
    this.#nextSeq = highestSeq + 1;
    this.#transport = transport;
    this.#logger = logger;
  }

  /** Opens the outbox in `dataDir`, keeping what a previous process did not deliver. */
  static async open(dataDir: string, transport: OutboxTransport, logger: AgentLogger): Promise<EventOutbox> {
    const { file, contents } = await OutboxFile.open(dataDir);
    const outbox = new EventOutbox(dataDir, file, [...contents.frames], contents.highestSeq, transport, logger);
    // An older agent version measured events in UTF-16 code units: what it left may not fit.
    outbox.#refit('stored-oversize');
    return outbox;
  }

  /** The largest frame this outbox sends now, in bytes. */
  get frameBytes(): number {
    return this.#limits.frameBytes;
  }

  /** Events not yet acknowledged by the server. */
  get size(): number {
    return this.#pending.length - this.#head;
  }

  /** Numbers and queues an event; it is written and sent in the background. */
  push(runId: string, event: RunEvent): number {
    let bounded = boundEvent(event, this.#limits);
    if (bounded.kind === 'run.finished' && this.#cutRuns.delete(runId)) bounded = withCutNote(bounded);
    const frame: RunEventFrame = { type: 'run.event', seq: this.#nextSeq, runId, event: bounded };
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

  /**
   * The control plane refused a frame as too large (`error FRAME_TOO_LARGE`, or a close with
   * 1009 from it or from a proxy in between): its limit is smaller than ours. Frames are halved
   * (down to MIN_FRAME_BYTES) and every waiting event that no longer fits is cut, its original
   * quarantined, before the next session replays them. Call once per refused session.
   */
  frameRefused(): void {
    const frameBytes = Math.max(MIN_FRAME_BYTES, this.#limits.frameBytes / 2);
    if (frameBytes === this.#limits.frameBytes) {
      this.#logger.error(
        { frameBytes },
        'the control plane refuses even the smallest frames; check the WebSocket message limit of any proxy in between',
      );
      return;
    }
    this.#logger.warn(
      { refusedFrameBytes: this.#limits.frameBytes, frameBytes },
      'the control plane refused a frame as too large; sending smaller frames',
    );
    this.#limits = eventLimits(frameBytes);
    this.#refit('refused-by-control-plane');
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
    await this.#quarantine.close();
  }

  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#unflushed;
    this.#unflushed = [];
    const last = batch.at(-1);
    const durable = (): void => {
      if (last !== undefined) this.#durableSeq = last.seq;
    };
    try {
      await this.#file.append(batch, durable);
    } catch (err) {
      // Delivery beats durability when the disk fails: the events still go out, logged.
      this.#logger.error({ err }, 'cannot write the outbox; sending events without a disk copy');
      durable();
    }
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
   * Sends frames in order, batches packed to `batchBytes` (an event is at most `eventBytes`, so a
   * frame never exceeds `frameBytes`); stops when the session is gone.
   */
  #send(frames: readonly RunEventFrame[]): void {
    for (const { frame, text } of packRunEvents(frames, { maxBytes: this.#limits.batchBytes, maxEvents: MAX_BATCH })) {
      if (!this.#transport.send(frame, text)) return;
    }
  }

  /**
   * Cuts every waiting event that does not fit the current limits, after keeping its original
   * in the quarantine file; the outbox file is then rewritten, so a restart starts from the cut
   * form. The run of a cut event gets a `FRAME_TOO_LARGE` note in its `run.finished` error.
   * Frames are changed in place: a frame not yet written is the same object in `#unflushed`.
   */
  #refit(reason: QuarantineReason): void {
    const originals: RunEventFrame[] = [];
    for (let i = this.#head; i < this.#pending.length; i += 1) {
      const frame = this.#pending[i];
      if (frame === undefined) continue;
      if (frame.event.kind === 'run.finished' && this.#cutRuns.delete(frame.runId)) {
        frame.event = withCutNote(frame.event);
      }
      if (eventFits(frame.event, this.#limits)) continue;
      originals.push({ ...frame });
      frame.event = boundEvent(frame.event, this.#limits);
      if (frame.event.kind === 'run.finished') frame.event = withCutNote(frame.event);
      else this.#cutRuns.add(frame.runId);
    }
    if (originals.length === 0) return;
    this.#logger.warn(
      { events: originals.length, reason, eventBytes: this.#limits.eventBytes, quarantine: QUARANTINE_FILE },
      'events too large for a frame were cut; the originals are quarantined',
    );
    this.#io = this.#io
      .then(() => this.#quarantine.append(reason, originals))
      .then(
        () => this.#compact(),
        (err: unknown) => {
          // The outbox file still holds the originals (not compacted now); a restart cuts and
          // quarantines them again, unless a later compaction rewrote the file first.
          this.#logger.error({ err }, 'cannot write the quarantine file; the outbox file keeps the originals for now');
        },
      );
  }

  async #compact(): Promise<void> {
    try {
      await this.#file.compact();
    } catch (err) {
      this.#logger.error({ err }, 'cannot compact the outbox');
    }
  }
}

/**
 * The run's error with the note that some of its events were cut (once): `FRAME_TOO_LARGE` for a
 * run without one, else its own code (why it failed matters more) with the note after the message.
 */
function withCutNote(event: Extract<RunEvent, { kind: 'run.finished' }>): RunEvent {
  const { error } = event;
  if (error === undefined)
    return { ...event, error: { code: 'FRAME_TOO_LARGE', message: CUT_RUN_NOTE, retryable: false } };
  if (error.message.includes(CUT_RUN_NOTE)) return event;
  return { ...event, error: { ...error, message: `${error.message}; FRAME_TOO_LARGE: ${CUT_RUN_NOTE}` } };
}
