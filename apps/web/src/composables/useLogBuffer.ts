import { ref, type Ref } from 'vue';
import { AnsiUp } from 'ansi_up';
import type { LogLine } from '@flotilla/protocol';

/** A log line as the viewer shows it: the line, its text as safe HTML (ANSI colours as spans), and as plain text. */
export interface LogEntry extends LogLine {
  html: string;
  /** The line without ANSI escape sequences: what search looks in and download writes. */
  plain: string;
}

/**
 * The lines of one job, in `seq` order, each once. The array is plain (a job can have a hundred
 * thousand lines: no reactive proxy per line); `version` changes whenever lines were added, so
 * views depending on it recompute.
 */
export interface LogBuffer {
  readonly lines: readonly LogEntry[];
  readonly version: Ref<number>;
  /** The highest `seq` held (0: none). */
  lastSeq(): number;
  /** Adds lines; a line whose `seq` is not above the last one held is a repeat and is dropped. */
  append(lines: readonly LogLine[]): void;
  /** The index of the line with this `seq`, or -1. */
  indexOf(seq: number): number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };

/** CSI sequences (colours, cursor moves) and OSC sequences (titles, links) of a terminal. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** A job's log lines, with ANSI colours converted once, as lines arrive (in order, per run). */
export function useLogBuffer(): LogBuffer {
  const lines: LogEntry[] = [];
  const version = ref(0);
  // Colours carry over from one line to the next of the same run (a program's output), never across runs.
  const converters = new Map<string, AnsiUp>();

  function toHtml(line: LogLine): string {
    if (!line.line.includes('\u001b')) return escapeHtml(line.line);
    let converter = converters.get(line.runId);
    if (converter === undefined) {
      converter = new AnsiUp();
      // ansi_up escapes HTML by default; said again because the line is rendered with v-html.
      converter.escape_html = true;
      converter.use_classes = true;
      converters.set(line.runId, converter);
    }
    return converter.ansi_to_html(line.line);
  }

  function lastSeq(): number {
    return lines.at(-1)?.seq ?? 0;
  }

  function append(batch: readonly LogLine[]): void {
    let added = false;
    for (const line of batch) {
      if (line.seq <= lastSeq()) continue;
      const plain = line.line.includes('\u001b') ? line.line.replace(ANSI_SEQUENCE, '') : line.line;
      lines.push({ ...line, html: toHtml(line), plain });
      added = true;
    }
    if (added) version.value++;
  }

  function indexOf(seq: number): number {
    let low = 0;
    let high = lines.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = lines[mid]?.seq ?? 0;
      if (at === seq) return mid;
      if (at < seq) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  return { lines, version, lastSeq, append, indexOf };
}
