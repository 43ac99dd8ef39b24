import { MAX_AGENT_FRAME_BYTES, type Failure, type RunEvent, type StepFailure } from '@flotilla/protocol';
import { utf8Bytes, utf8Head, utf8Tail } from './utf8-cut.js';

/**
 * Size caps for what one event carries, all in UTF-8 bytes (what the WebSocket and the control
 * plane count). Derived from a frame budget so that any single event, with its sequence number
 * and run id, always fits in one frame: an event that could not fit would be refused by the
 * control plane and replayed from the outbox forever.
 */
export interface EventLimits {
  /** The frame budget the caps are derived from: no frame the agent sends is larger. */
  readonly frameBytes: number;
  /** Text of one log line; a longer line is cut on a character boundary, with a marker. */
  readonly lineBytes: number;
  /** The `error` of a step or run. */
  readonly errorBytes: number;
  /** One string output of a `step.finished` (the tail is kept); later steps of the run see the full value. */
  readonly outputValueBytes: number;
  /** All outputs of one `step.finished`, as JSON. */
  readonly outputsBytes: number;
  /** One whole event as JSON: half a frame, the other half is room for the frame around it. */
  readonly eventBytes: number;
  /**
   * What a `run.events` batch is filled to: half a frame. The control plane stores a batch's
   * lines as one log chunk and indexes its text in one go (a PostgreSQL `tsvector` holds at most
   * 1 MiB), so batches stay the size they had when they were cut at 512 Ki characters of ASCII.
   * An event larger than this goes alone, in a frame of at most `frameBytes`.
   */
  readonly batchBytes: number;
}

/** The most a log line keeps, however large frames may be. */
const MAX_LINE_BYTES = 16 * 1024;

/**
 * Caps for frames of `frameBytes`; for the full 1 MiB: 16 KiB lines and errors, 64/256 KiB
 * outputs, 512 KiB events and batches. Smaller frames (after refusals) keep 16 KiB lines down
 * to 256 KiB frames. Each cap leaves room for JSON escapes (up to 6 bytes a character) within
 * `eventBytes`.
 */
export function eventLimits(frameBytes: number): EventLimits {
  return {
    frameBytes,
    lineBytes: Math.min(MAX_LINE_BYTES, frameBytes / 16),
    errorBytes: frameBytes / 64,
    outputValueBytes: frameBytes / 16,
    outputsBytes: frameBytes / 4,
    eventBytes: frameBytes / 2,
    batchBytes: frameBytes / 2,
  };
}

/** The caps at the control plane's frame limit (the shared constant from protocol). */
export const DEFAULT_EVENT_LIMITS: EventLimits = eventLimits(MAX_AGENT_FRAME_BYTES);

/** Fields a stand-in keeps (names, timestamps, statuses) are cut to this; real ones are far shorter. */
const STAND_IN_FIELD_BYTES = 256;

/** Bytes of an event's JSON text. */
export function eventBytes(event: RunEvent): number {
  return utf8Bytes(JSON.stringify(event));
}

/** `text` cut to `max` bytes, keeping its start; a cut is marked. */
export function cutHead(text: string, max: number): string {
  const head = utf8Head(text, max);
  return head.length === text.length ? text : `${head}… [truncated ${utf8Bytes(text) - utf8Bytes(head)} bytes]`;
}

/** `text` cut to `max` bytes, keeping its end (where a command's error usually is); a cut is marked. */
function cutTail(text: string, max: number): string {
  const tail = utf8Tail(text, max);
  return tail.length === text.length ? text : `[truncated ${utf8Bytes(text) - utf8Bytes(tail)} bytes] …${tail}`;
}

/** The failure with its message cut to `max` bytes (the same object when it fits). */
function boundFailure<F extends StepFailure>(failure: F, max: number): F {
  const message = cutHead(failure.message, max);
  return message === failure.message ? failure : { ...failure, message };
}

/**
 * A stand-in's failure: `FRAME_TOO_LARGE` with the reason, or the original's code (why the step
 * or run failed matters more than why the event was cut) with the reason after its message.
 */
function standInFailure(failure: Failure | undefined, reason: string): Failure {
  if (failure === undefined) return { code: 'FRAME_TOO_LARGE', message: reason, retryable: false };
  return {
    ...failure,
    ...(failure.step === undefined ? {} : { step: utf8Head(failure.step, STAND_IN_FIELD_BYTES) }),
    message: `${utf8Head(failure.message, STAND_IN_FIELD_BYTES)} (FRAME_TOO_LARGE: ${reason})`,
  };
}

function boundOutputs(outputs: Record<string, unknown>, limits: EventLimits): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outputs)) {
    bounded[name] = typeof value === 'string' ? cutTail(value, limits.outputValueBytes) : value;
  }
  if (utf8Bytes(JSON.stringify(bounded)) <= limits.outputsBytes) return bounded;
  return { truncated: true, note: `outputs larger than ${limits.outputsBytes} bytes are kept on the agent only` };
}

/**
 * A cheap upper bound of a log event's JSON size: a UTF-16 code unit takes at most 6 bytes in
 * JSON (`\uXXXX`), so most lines need no encoding to be known to fit.
 */
function logFitsSurely(event: Extract<RunEvent, { kind: 'log' }>, limits: EventLimits): boolean {
  return (event.line.length + event.step.length + event.ts.length) * 6 + 128 <= limits.eventBytes;
}

/**
 * Returns the event within `limits`: long lines, errors and outputs cut on character
 * boundaries and marked as such. An event that is still too large (a huge step name or
 * timestamp, which no real workflow has) is replaced by its stand-in, so it can never wedge
 * the outbox.
 */
export function boundEvent(event: RunEvent, limits: EventLimits = DEFAULT_EVENT_LIMITS): RunEvent {
  let bounded: RunEvent;
  switch (event.kind) {
    case 'log': {
      const line = cutHead(event.line, limits.lineBytes);
      bounded = line === event.line ? event : { ...event, line };
      if (logFitsSurely(bounded, limits)) return bounded;
      break;
    }
    case 'step.finished': {
      const error = event.error === undefined ? undefined : boundFailure(event.error, limits.errorBytes);
      bounded = error === event.error ? event : { ...event, error };
      if (bounded.outputs !== undefined) bounded = { ...bounded, outputs: boundOutputs(bounded.outputs, limits) };
      break;
    }
    case 'run.finished': {
      const error = event.error === undefined ? undefined : boundFailure(event.error, limits.errorBytes);
      bounded = error === event.error ? event : { ...event, error };
      break;
    }
    case 'run.started':
    case 'step.started':
      bounded = event;
      break;
  }
  const bytes = eventBytes(bounded);
  return bytes <= limits.eventBytes
    ? bounded
    : standIn(bounded, `${bytes} bytes, over the ${limits.eventBytes}-byte limit of one event`);
}

/** True when the event's JSON is within `limits.eventBytes`. */
export function eventFits(event: RunEvent, limits: EventLimits): boolean {
  if (event.kind === 'log' && logFitsSurely(event, limits)) return true;
  return eventBytes(event) <= limits.eventBytes;
}

/**
 * The smallest honest form of an event: its kind, step, status and state stay (the run's
 * progress is never lost), its content is replaced by a `FRAME_TOO_LARGE` note saying why.
 */
export function standIn(event: RunEvent, why: string): RunEvent {
  const reason = `this ${event.kind} event was replaced (${why})`;
  // log lines and outputs are text: the code goes into it
  const note = `FRAME_TOO_LARGE: ${reason}`;
  const ts = utf8Head(event.ts, STAND_IN_FIELD_BYTES);
  switch (event.kind) {
    case 'run.started':
      return { kind: 'run.started', ts };
    case 'step.started':
      return { ...event, ts, step: utf8Head(event.step, STAND_IN_FIELD_BYTES) };
    case 'log':
      return { kind: 'log', ts, step: utf8Head(event.step, STAND_IN_FIELD_BYTES), stream: event.stream, line: note };
    case 'step.finished':
      return {
        kind: 'step.finished',
        ts,
        step: utf8Head(event.step, STAND_IN_FIELD_BYTES),
        status: event.status,
        exitCode: event.exitCode,
        error: standInFailure(event.error, reason),
        outputs: { truncated: true, note },
      };
    case 'run.finished':
      return {
        kind: 'run.finished',
        ts,
        state: event.state,
        exitCode: event.exitCode,
        error: standInFailure(event.error, reason),
      };
  }
}
