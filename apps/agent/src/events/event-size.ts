import type { RunEvent } from '@flotilla/protocol';

/**
 * Size bounds for what the agent sends. The control plane refuses WebSocket frames over 1 MiB;
 * an event that cannot fit would be replayed from the outbox forever, so every event is bounded
 * here and frames are cut by bytes as well as by count.
 */
export const MAX_LINE_CHARS = 16 * 1024;
/** Per output value in a `step.finished` event; the full value stays in the agent's journal. */
export const MAX_OUTPUT_VALUE_CHARS = 64 * 1024;
/** All outputs of one `step.finished` event together. */
export const MAX_OUTPUTS_CHARS = 256 * 1024;
/** Bytes of events per `run.events` frame, well under the server's 1 MiB frame limit. */
export const MAX_FRAME_CHARS = 512 * 1024;

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [truncated ${text.length - max} characters]`;
}

function boundOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outputs)) {
    if (typeof value === 'string') {
      // Keep the tail: the end of a command's output is where the error usually is.
      bounded[name] =
        value.length <= MAX_OUTPUT_VALUE_CHARS
          ? value
          : `[truncated ${value.length - MAX_OUTPUT_VALUE_CHARS} characters] …${value.slice(-MAX_OUTPUT_VALUE_CHARS)}`;
    } else {
      bounded[name] = value;
    }
  }
  if (JSON.stringify(bounded).length <= MAX_OUTPUTS_CHARS) return bounded;
  return { truncated: true, note: `outputs larger than ${MAX_OUTPUTS_CHARS} characters are kept on the agent only` };
}

/** Returns the event with long log lines and large outputs truncated (marked as such). */
export function boundEvent(event: RunEvent): RunEvent {
  switch (event.kind) {
    case 'log':
      return event.line.length <= MAX_LINE_CHARS ? event : { ...event, line: truncate(event.line, MAX_LINE_CHARS) };
    case 'step.finished':
      return event.outputs === undefined ? event : { ...event, outputs: boundOutputs(event.outputs) };
    case 'run.started':
    case 'step.started':
    case 'run.finished':
      return event;
  }
}
