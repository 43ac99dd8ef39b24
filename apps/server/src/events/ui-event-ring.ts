import { randomBytes } from 'node:crypto';
import type { UiEvent } from '@flotilla/protocol';
import type { Unsubscribe } from '../cluster/cluster-bus.js';
import type { Scope } from '../store/scope.js';

/** A UI event as the ring keeps it: numbered, timed, with the scope that decides who sees it. */
export interface RingEntry extends Scope {
  /** Position in the ring: 1 for the first event this process heard, then one more each. */
  readonly n: number;
  /** When it was heard (ms since the epoch), for the age limit. */
  readonly at: number;
  readonly event: UiEvent;
}

export interface UiEventRingOptions {
  /** Events kept for resuming. @default 10_000 */
  capacity?: number;
  /** How long an event is kept for resuming (ms). @default 300_000 */
  maxAgeMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Where a resumed stream starts: after position `after`; `missed` when events since the asked id are gone. */
export interface ResumePoint {
  readonly after: number;
  readonly missed: 'unknown-id' | 'expired' | null;
}

/** `<epoch>.<n>`: the epoch is hex, `n` a decimal position. */
const EVENT_ID = /^([0-9a-f]{1,32})\.(\d{1,15})$/;

/**
 * The UI events this replica heard from the cluster bus, numbered `<epoch>.<n>`, kept for a
 * bounded time and number (whichever ends first) so a stream that dropped resumes where it was.
 * The epoch is random per ring, so an id of an earlier process or another replica is told apart
 * and answered with a reset instead of wrong events. Listeners are told of each event at once
 * (synchronously), so a stream that reads `after(n)` and then listens, in one turn, sees every
 * event exactly once.
 */
export class UiEventRing {
  readonly epoch = randomBytes(6).toString('hex');
  readonly #slots: (RingEntry | undefined)[];
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #listeners = new Set<(entry: RingEntry) => void>();
  /** Position of the newest event (0: none yet). */
  #latest = 0;
  /** Position of the oldest event kept (`latest + 1` when none is kept). */
  #oldest = 1;

  constructor(options: UiEventRingOptions = {}) {
    this.#slots = new Array<RingEntry | undefined>(options.capacity ?? 10_000);
    this.#maxAgeMs = options.maxAgeMs ?? 300_000;
    this.#now = options.now ?? Date.now;
  }

  /** Position of the newest event (0 before the first). */
  get latest(): number {
    return this.#latest;
  }

  /** The id of position `n` as streams send it. */
  idOf(n: number): string {
    return `${this.epoch}.${n}`;
  }

  /** Keeps an event (dropping the oldest past the capacity) and tells the listeners. */
  push(scoped: Scope & { event: UiEvent }): RingEntry {
    const n = ++this.#latest;
    const now = this.#now();
    const entry: RingEntry = {
      n,
      at: now,
      tenantId: scoped.tenantId,
      projectId: scoped.projectId,
      event: scoped.event,
    };
    this.#slots[(n - 1) % this.#slots.length] = entry;
    if (n - this.#oldest >= this.#slots.length) this.#oldest = n - this.#slots.length + 1;
    this.#expire(now);
    for (const listener of this.#listeners) listener(entry);
    return entry;
  }

  /** Whether every event after position `n` is still kept (a stream at `n` can go on without a gap). */
  holdsAfter(n: number): boolean {
    this.#expire(this.#now());
    return n >= this.#oldest - 1 && n <= this.#latest;
  }

  /** The events after position `n`, oldest first (those still kept). */
  *after(n: number): Generator<RingEntry> {
    for (let at = Math.max(n + 1, this.#oldest); at <= this.#latest; at++) {
      const entry = this.#slots[(at - 1) % this.#slots.length];
      if (entry !== undefined && entry.n === at) yield entry;
    }
  }

  /**
   * Where a stream asked to resume after `lastEventId` starts: right after it when every later
   * event is kept; else at the newest position, with why events were missed. Without an id, a
   * stream starts at the newest position and has missed nothing.
   */
  resumePoint(lastEventId: string | undefined): ResumePoint {
    if (lastEventId === undefined) return { after: this.#latest, missed: null };
    const match = EVENT_ID.exec(lastEventId);
    const n = Number(match?.[2]);
    if (match?.[1] !== this.epoch || n > this.#latest) return { after: this.#latest, missed: 'unknown-id' };
    if (!this.holdsAfter(n)) return { after: this.#latest, missed: 'expired' };
    return { after: n, missed: null };
  }

  /** Calls `listener` with every event pushed from now on. */
  listen(listener: (entry: RingEntry) => void): Unsubscribe {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Forgets events past the age limit (their slots are freed too). */
  #expire(now: number): void {
    const cutoff = now - this.#maxAgeMs;
    while (this.#oldest <= this.#latest) {
      const index = (this.#oldest - 1) % this.#slots.length;
      const entry = this.#slots[index];
      if (entry !== undefined && entry.at >= cutoff) return;
      this.#slots[index] = undefined;
      this.#oldest++;
    }
  }
}
