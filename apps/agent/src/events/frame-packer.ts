import type { AgentFrame } from '@flotilla/protocol';
import type { RunEventFrame } from './outbox-file.js';
import { utf8Bytes } from './utf8-cut.js';

/** Bounds of one packed frame. */
export interface PackLimits {
  /** Bytes of a batch frame's JSON text (UTF-8), as the WebSocket counts them; a larger single event goes alone. */
  readonly maxBytes: number;
  /** Events per `run.events` frame. */
  readonly maxEvents: number;
}

/** A frame and its JSON text, exactly `JSON.stringify(frame)`: it is sent as is. */
export interface PackedFrame {
  readonly frame: AgentFrame;
  readonly text: string;
}

type BatchItem = Extract<AgentFrame, { type: 'run.events' }>['items'][number];

const BATCH_OPEN = '{"type":"run.events","items":[';
const BATCH_CLOSE = ']}';
const BATCH_OVERHEAD = utf8Bytes(BATCH_OPEN + BATCH_CLOSE);
/** A single-event frame is its item's JSON with the type in front: `{"type":"run.event",…`. */
const SINGLE_OPEN = '{"type":"run.event",';

/**
 * Packs queued events, in order, into `run.events` frames of at most `maxEvents` events and
 * `maxBytes` bytes. Each item is serialised once: its UTF-8 size is then exact, and the frame's
 * text is the items' JSON joined by commas inside a fixed envelope, so the size of a frame is
 * known before it is built and its text is not serialised again to be sent. A lone event goes
 * as a `run.event` frame (smaller than a batch of one). An event too large to fit even alone is
 * sent alone all the same (the outbox bounds events so that this does not happen; see
 * `EventLimits.eventBytes`). Lazy, so a sender that loses its session stops measuring.
 */
export function* packRunEvents(frames: readonly RunEventFrame[], limits: PackLimits): Generator<PackedFrame> {
  let items: BatchItem[] = [];
  let texts: string[] = [];
  let bytes = BATCH_OVERHEAD;
  for (const { seq, runId, event } of frames) {
    const item: BatchItem = { seq, runId, event };
    const text = JSON.stringify(item);
    const size = utf8Bytes(text);
    if (items.length > 0 && (items.length >= limits.maxEvents || bytes + 1 + size > limits.maxBytes)) {
      yield packed(items, texts);
      items = [];
      texts = [];
      bytes = BATCH_OVERHEAD;
    }
    bytes += items.length === 0 ? size : size + 1; // the comma
    items.push(item);
    texts.push(text);
  }
  if (items.length > 0) yield packed(items, texts);
}

function packed(items: BatchItem[], texts: string[]): PackedFrame {
  const [only] = items;
  const [onlyText] = texts;
  if (items.length === 1 && only !== undefined && onlyText !== undefined) {
    return { frame: { type: 'run.event', ...only }, text: SINGLE_OPEN + onlyText.slice(1) };
  }
  return { frame: { type: 'run.events', items }, text: BATCH_OPEN + texts.join(',') + BATCH_CLOSE };
}
