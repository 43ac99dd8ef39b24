import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { RunEventFrameSchema, type AgentFrame } from '@flotilla/protocol';
import { readFileIfExists, writeFileAtomic } from '@flotilla/node-kit';

export type RunEventFrame = Extract<AgentFrame, { type: 'run.event' }>;

export const OUTBOX_FILE = 'outbox.jsonl';

/** What a previous process left behind: unacknowledged frames and the highest seq ever used. */
export interface OutboxContents {
  readonly frames: RunEventFrame[];
  readonly highestSeq: number;
}

/**
 * The outbox on disk: JSON lines of `run.event` frames, appended in batches with one fdatasync
 * per batch. An optional first line `{"floor":N}` remembers the highest sequence number used
 * when everything before it was compacted away. A torn last line (crash mid-write) is ignored:
 * its frame was never sent, because frames go out only after they are durable.
 */
export class OutboxFile {
  readonly #path: string;
  #handle: FileHandle;

  private constructor(path: string, handle: FileHandle) {
    this.#path = path;
    this.#handle = handle;
  }

  static async open(dataDir: string): Promise<{ file: OutboxFile; contents: OutboxContents }> {
    const path = join(dataDir, OUTBOX_FILE);
    const contents = parse((await readFileIfExists(path)) ?? '');
    const handle = await open(path, 'a', 0o600);
    return { file: new OutboxFile(path, handle), contents };
  }

  /** Appends frames and makes them durable. */
  async append(frames: readonly RunEventFrame[]): Promise<void> {
    if (frames.length === 0) return;
    await this.#handle.appendFile(frames.map((f) => `${JSON.stringify(f)}\n`).join(''));
    await this.#handle.datasync();
  }

  /** Atomically replaces the file by the still-unacknowledged frames. */
  async compact(frames: readonly RunEventFrame[], highestSeq: number): Promise<void> {
    const text = [JSON.stringify({ floor: highestSeq }), ...frames.map((f) => JSON.stringify(f))].join('\n');
    await writeFileAtomic(this.#path, `${text}\n`, { mode: 0o600 });
    await this.#handle.close();
    this.#handle = await open(this.#path, 'a', 0o600);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

function parse(text: string): OutboxContents {
  const frames: RunEventFrame[] = [];
  let highestSeq = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue; // a torn write from a crash
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
