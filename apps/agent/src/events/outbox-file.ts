import { join } from 'node:path';
import { RunEventFrameSchema, type AgentFrame } from '@flotilla/protocol';
import { JsonlLog } from '@flotilla/steps';

export type RunEventFrame = Extract<AgentFrame, { type: 'run.event' }>;

export const OUTBOX_FILE = 'outbox.jsonl';

/** What the outbox file holds: unacknowledged frames and the highest seq ever used. */
export interface OutboxContents {
  readonly frames: readonly RunEventFrame[];
  readonly highestSeq: number;
}

/**
 * The outbox on disk, `<dataDir>/outbox.jsonl`: JSON lines of `run.event` frames in a
 * {@link JsonlLog} (appended in batches with one fdatasync per batch, a torn last line cut,
 * rewritten atomically). A first line `{"floor":N}` remembers the highest sequence number used,
 * since every frame before it may have been compacted away. A torn last line (crash mid-write)
 * is dropped: its frame was never sent, because frames go out only after they are durable.
 */
export class OutboxFile {
  readonly #log: JsonlLog;
  readonly #state: { contents: () => OutboxContents };

  private constructor(log: JsonlLog, state: { contents: () => OutboxContents }) {
    this.#log = log;
    this.#state = state;
  }

  /** Reads what a previous process left, and rewrites the file with it. */
  static async open(dataDir: string): Promise<{ file: OutboxFile; contents: OutboxContents }> {
    let loaded: OutboxContents = { frames: [], highestSeq: 0 };
    const state = { contents: () => loaded };
    const log = await JsonlLog.open(
      join(dataDir, OUTBOX_FILE),
      { mode: 0o600, snapshot: () => linesOf(state.contents()) },
      (lines) => {
        loaded = parse(lines);
      },
    );
    return { file: new OutboxFile(log, state), contents: loaded };
  }

  /** What a rewrite writes from now on: the durable frames not yet acknowledged, and the highest seq. */
  holds(contents: () => OutboxContents): void {
    this.#state.contents = contents;
  }

  /** Appends frames; `onDurable` runs once they are, before the promise resolves. */
  append(frames: readonly RunEventFrame[], onDurable: () => void): Promise<void> {
    return this.#log.append(
      frames.map((frame) => JSON.stringify(frame)),
      onDurable,
    );
  }

  /** Atomically replaces the file by what it `holds`. */
  compact(): Promise<void> {
    return this.#log.rewrite();
  }

  close(): Promise<void> {
    return this.#log.close();
  }
}

function linesOf(contents: OutboxContents): string[] {
  return [JSON.stringify({ floor: contents.highestSeq }), ...contents.frames.map((frame) => JSON.stringify(frame))];
}

function parse(lines: readonly string[]): OutboxContents {
  const frames: RunEventFrame[] = [];
  let highestSeq = 0;
  for (const line of lines) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue; // damage a crash cannot cause; never guessed around, only skipped
    }
    const floor = (json as { floor?: unknown }).floor;
    if (typeof floor === 'number' && Number.isSafeInteger(floor)) {
      highestSeq = Math.max(highestSeq, floor);
      continue;
    }
    const frame = RunEventFrameSchema.safeParse(json);
    if (!frame.success || frame.data.seq <= highestSeq) continue;
    frames.push(frame.data);
    highestSeq = frame.data.seq;
  }
  return { frames, highestSeq };
}
