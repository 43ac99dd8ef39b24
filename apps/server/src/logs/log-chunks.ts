import type { Kysely } from 'kysely';
import type { LogLine, Page } from '@flotilla/protocol';
import { randomBytes } from 'node:crypto';
import { nowIso } from '../store/time.js';
import type { WriteTransaction } from '../store/group-commit.js';
import type { LogTextIndex } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

/** Lines per stored chunk: large enough to make ingestion one insert per few hundred lines. */
export const CHUNK_LINES = 500;

/**
 * Text per stored chunk, and the most of it the search index takes. PostgreSQL indexes a chunk's
 * text in one `tsvector`, whose lexemes and positions must fit in 1 MiB; short distinct words
 * take about three times their text there (measured: 160 KB of distinct 3-letter words → 467 KB).
 * A chunk ends at this many bytes of text, and a single longer line is indexed up to here only
 * (it is stored whole), so every frame an agent may send is storable.
 */
export const CHUNK_TEXT_BYTES = 256 * 1024;

/** One stored line inside a chunk's `entries` JSON: `[seq, step, stream, ts, line]`. */
export type LogEntry = [number, string, LogLine['stream'], string, string];

/** Lines of one run, in order, with their per-job sequence numbers already assigned. */
export interface NewChunk {
  scope: Scope;
  jobId: string;
  runId: string;
  entries: LogEntry[];
}

function entryToLine(runId: string, e: LogEntry): LogLine {
  return { runId, seq: e[0], step: e[1], stream: e[2], ts: e[3], line: e[4] };
}

let chunkCounter = 0;

/** Chunk ids sort in insertion order (time, then a process counter): search pages newest first by id. */
function chunkId(): string {
  chunkCounter = (chunkCounter + 1) % 36 ** 6;
  return `lch_${Date.now().toString(36).padStart(9, '0')}${chunkCounter.toString(36).padStart(6, '0')}${randomBytes(6).toString('base64url')}`;
}

/** Cuts a run's lines into stored chunks of at most `CHUNK_LINES` lines and `CHUNK_TEXT_BYTES` of text. */
function* chunked(entries: readonly LogEntry[]): Generator<LogEntry[]> {
  let current: LogEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry[4]) + 1;
    if (current.length > 0 && (current.length === CHUNK_LINES || bytes + size > CHUNK_TEXT_BYTES)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) yield current;
}

/** The text the search index takes from a chunk: all of it, or the first `CHUNK_TEXT_BYTES` of one long line. */
function indexedText(entries: readonly LogEntry[]): string {
  const body = entries.map((e) => e[4]).join('\n');
  if (body.length * 3 <= CHUNK_TEXT_BYTES) return body;
  const bytes = Buffer.from(body);
  if (bytes.length <= CHUNK_TEXT_BYTES) return body;
  // Decoding a cut in the middle of a character ends in U+FFFD; drop it rather than index it.
  return bytes
    .subarray(0, CHUNK_TEXT_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/u, '');
}

/**
 * Stores chunks and indexes their text for search (the dialect's `logText`: FTS5 or `tsvector`).
 * Runs in the batch's write unit.
 */
export async function insertChunks(
  db: WriteTransaction,
  logText: LogTextIndex,
  chunks: readonly NewChunk[],
): Promise<void> {
  const createdAt = nowIso();
  for (const chunk of chunks) {
    for (const entries of chunked(chunk.entries)) {
      const first = entries[0];
      const last = entries.at(-1);
      if (first === undefined || last === undefined) continue;
      const row = {
        id: chunkId(),
        tenant_id: chunk.scope.tenantId,
        project_id: chunk.scope.projectId,
        job_id: chunk.jobId,
        run_id: chunk.runId,
        first_seq: first[0],
        last_seq: last[0],
        line_count: entries.length,
        entries: JSON.stringify(entries),
        created_at: createdAt,
      };
      await logText.insertChunk(db, row, indexedText(entries));
    }
  }
}

/**
 * Log lines of a job with `seq > after`, in order. `seq` is unique per job (all its runs share one
 * counter), so the cursor is simply the last `seq` returned.
 */
export async function readJobLogs(
  db: Kysely<Database>,
  jobId: string,
  query: { after: number; limit: number },
): Promise<Page<LogLine>> {
  const items: LogLine[] = [];
  let after = query.after;
  let more = false;
  // Chunks come in seq order; read a few at a time until the page is full.
  for (;;) {
    const chunks = await db
      .selectFrom('log_chunks')
      .select(['run_id', 'entries', 'last_seq'])
      .where('job_id', '=', jobId)
      .where('last_seq', '>', after)
      .orderBy('first_seq')
      .limit(20)
      .execute();
    for (const chunk of chunks) {
      for (const e of JSON.parse(chunk.entries) as LogEntry[]) {
        if (e[0] <= query.after) continue;
        if (items.length === query.limit) {
          more = true;
          break;
        }
        items.push(entryToLine(chunk.run_id, e));
      }
      if (more) break;
    }
    const lastChunk = chunks.at(-1);
    if (more || chunks.length < 20 || lastChunk === undefined) break;
    after = lastChunk.last_seq;
  }
  // Chunks of different runs may interleave in seq; order the page strictly.
  items.sort((a, b) => a.seq - b.seq);
  const last = items.at(-1);
  return { items, nextCursor: more && last !== undefined ? String(last.seq) : null };
}
