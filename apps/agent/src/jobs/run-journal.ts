import { mkdir, open, readdir, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { JobPayloadSchema, RunStateSchema } from '@flotilla/protocol';
import { readFileIfExists, syncDirectory } from '../identity/atomic-file.js';

/** One accepted run as recorded on disk before it is acknowledged. */
export const RunRecordSchema = z.object({
  runId: z.string(),
  jobId: z.string(),
  acceptedAt: z.string(),
  state: z.enum(['accepted', 'finished']),
  result: z
    .object({ state: RunStateSchema, exitCode: z.number().int().nullable(), error: z.string().optional() })
    .optional(),
  finishedAt: z.string().optional(),
  /** The verified job without its secrets: what a restarted agent needs to resume the run. */
  job: JobPayloadSchema.omit({ secrets: true }).optional(),
  /** The run's secret values, sealed with a key derived from the agent key (never in clear). */
  sealedSecrets: z.string().optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** The run log inside the agent's data dir. */
export const RUN_LOG_FILE = 'runs.jsonl';

/** Appends before the log is rewritten (or one per run, when there are more runs). */
const COMPACT_AFTER_LINES = 4096;

interface Pending {
  readonly record: RunRecord;
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Proof that a run was accepted (durable before the `job.ack`), so an offer repeated after a
 * reconnect or restart is acknowledged but never started twice, and the job itself, so a run cut
 * short by a crash can be resumed from the engine's journal (`<dataDir>/journal/`).
 *
 * Kept as one append-only JSON-lines file, `<dataDir>/runs.jsonl`: a record is appended on
 * accept and again on finish, and the last line of a run wins. Appends that arrive while a write
 * is in flight share the next write and its fdatasync; `put` resolves once its line is durable.
 * A line torn by a crash is cut off when the log is opened. The log is rewritten (temp file,
 * fsync, rename, directory fsync) at start and after every few thousand appends, one line per
 * run; a finished run keeps only its result there. Records of agents from before the log, one
 * `<dataDir>/runs/<runId>.json` each, are still read.
 */
export class RunJournal {
  readonly #dataDir: string;
  readonly #path: string;
  readonly #records = new Map<string, RunRecord>();
  #handle: FileHandle | undefined;
  /** Lines appended since the log was last rewritten. */
  #appended = 0;
  #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  /** A write failed: the file may end in a partial line; rewrite it before the next append. */
  #damaged = false;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.#path = join(dataDir, RUN_LOG_FILE);
  }

  /** Reads the log (and any older per-run files) and rewrites it, one line per run. */
  async init(): Promise<void> {
    await mkdir(this.#dataDir, { recursive: true, mode: 0o700 });
    await this.#readLegacyFiles();
    const text = (await readFileIfExists(this.#path)) ?? '';
    // only whole lines count: a torn last line (crash mid-write) was never acknowledged
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    for (const line of whole.split('\n')) {
      if (line === '') continue;
      const json = safeJson(line);
      const record = RunRecordSchema.safeParse(json);
      if (record.success) this.#records.set(record.data.runId, record.data);
      else {
        // An unreadable record still proves the run was accepted: treat it as such, never re-run.
        const runId = (json as { runId?: unknown } | undefined)?.runId;
        if (typeof runId === 'string') this.#records.set(runId, acceptedOnly(runId));
      }
    }
    await this.#rewrite();
  }

  get(runId: string): Promise<RunRecord | undefined> {
    return Promise.resolve(this.#records.get(runId));
  }

  /** Records a run's state; resolves once the record is durable (and only then is it kept). */
  async put(record: RunRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ record, line, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Runs accepted but never finished: the agent stopped while they were in flight. */
  unfinished(): Promise<RunRecord[]> {
    return Promise.resolve([...this.#records.values()].filter((r) => r.state === 'accepted'));
  }

  /** Waits for pending appends and closes the log. */
  async close(): Promise<void> {
    await this.#flushing;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        if (this.#damaged) await this.#rewrite();
        const handle = this.#handle ?? (this.#handle = await open(this.#path, 'a', 0o600));
        await handle.appendFile(batch.map((p) => p.line).join(''));
        // fdatasync is enough for appends: it also flushes the size change needed to read them back
        await handle.datasync();
        for (const p of batch) this.#records.set(p.record.runId, p.record);
        this.#appended += batch.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        this.#damaged = true;
        await this.#handle?.close().catch(() => undefined);
        this.#handle = undefined;
        for (const p of batch) p.reject(error);
        continue;
      }
      // amortised: a rewrite costs one line per run, and comes after at least as many appends
      if (this.#appended > Math.max(COMPACT_AFTER_LINES, this.#records.size)) await this.#rewrite().catch(() => (this.#damaged = true));
    }
    this.#flushing = undefined;
  }

  /**
   * Replaces the log by one line per durable run, atomically; also how a damaged log is repaired.
   * Runs only while nothing is being appended.
   */
  async #rewrite(): Promise<void> {
    const lines = [...this.#records.values()].map((r) => JSON.stringify(r.state === 'finished' ? finishedOnly(r) : r));
    // one agent process per data dir: a temp file left by a crash is simply overwritten
    const temp = `${this.#path}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(lines.map((l) => `${l}\n`).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.#handle?.close();
    this.#handle = undefined;
    await rename(temp, this.#path);
    await syncDirectory(this.#dataDir);
    this.#appended = 0;
    this.#damaged = false;
  }

  /** Per-run files written by agents before the run log existed. */
  async #readLegacyFiles(): Promise<void> {
    const dir = join(this.#dataDir, 'runs');
    const names = await readdir(dir).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    });
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const runId = name.slice(0, -'.json'.length);
      const parsed = RunRecordSchema.safeParse(safeJson((await readFileIfExists(join(dir, name))) ?? ''));
      // An unreadable record still proves the run was accepted: treat it as such, never re-run.
      this.#records.set(runId, parsed.success ? parsed.data : acceptedOnly(runId));
    }
  }
}

/** The record of a run known to be accepted and nothing more. */
function acceptedOnly(runId: string): RunRecord {
  return { runId, jobId: '', acceptedAt: '', state: 'accepted' };
}

/** What a finished run keeps: enough to refuse it again, without its job. */
function finishedOnly(record: RunRecord): RunRecord {
  const { job: _job, sealedSecrets: _secrets, ...rest } = record;
  return rest;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
