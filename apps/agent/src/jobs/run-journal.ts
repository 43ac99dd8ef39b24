import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { JobPayloadSchema, ReportedFailureSchema, RunStateSchema } from '@flotilla/protocol';
import { JsonlLog } from '@flotilla/steps';
import { readFileIfExists } from '@flotilla/node-kit';

/** One accepted run as recorded on disk before it is acknowledged. */
export const RunRecordSchema = z.object({
  runId: z.string(),
  jobId: z.string(),
  acceptedAt: z.string(),
  state: z.enum(['accepted', 'finished']),
  result: z
    // `error` was `"CODE: message"` text before protocol version 2: converted when read
    .object({ state: RunStateSchema, exitCode: z.number().int().nullable(), error: ReportedFailureSchema.optional() })
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

/**
 * Proof that a run was accepted (durable before the `job.ack`), so an offer repeated after a
 * reconnect or restart is acknowledged but never started twice, and the job itself, so a run cut
 * short by a crash can be resumed from the engine's journal (`<dataDir>/journal.jsonl`).
 *
 * Kept as one append-only JSON-lines file, `<dataDir>/runs.jsonl` ({@link JsonlLog}: batched
 * appends with one fdatasync each, torn last line cut, atomic rewrites): a record is appended on
 * accept and again on finish, and the last line of a run wins; `put` resolves once its line is
 * durable. The log is rewritten at start and after every few thousand appends, one line per run;
 * a finished run keeps only its result there. Records of agents from before the log, one
 * `<dataDir>/runs/<runId>.json` each, are still read.
 */
export class RunJournal {
  readonly #dataDir: string;
  readonly #records = new Map<string, RunRecord>();
  #log: JsonlLog | undefined;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  /** Reads the log (and any older per-run files) and rewrites it, one line per run. */
  async init(): Promise<void> {
    await mkdir(this.#dataDir, { recursive: true, mode: 0o700 });
    await this.#readLegacyFiles();
    const options = {
      snapshot: () =>
        [...this.#records.values()].map((r) => JSON.stringify(r.state === 'finished' ? finishedOnly(r) : r)),
      // amortised: a rewrite costs one line per run, and comes after at least as many appends
      rewriteAfter: () => Math.max(COMPACT_AFTER_LINES, this.#records.size),
    };
    this.#log = await JsonlLog.open(join(this.#dataDir, RUN_LOG_FILE), options, (lines) => {
      for (const line of lines) {
        const json = safeJson(line);
        const record = RunRecordSchema.safeParse(json);
        if (record.success) this.#records.set(record.data.runId, record.data);
        else {
          // An unreadable record still proves the run was accepted: treat it as such, never re-run.
          const runId = (json as { runId?: unknown } | undefined)?.runId;
          if (typeof runId === 'string') this.#records.set(runId, acceptedOnly(runId));
        }
      }
    });
  }

  get(runId: string): Promise<RunRecord | undefined> {
    return Promise.resolve(this.#records.get(runId));
  }

  /** Records a run's state; resolves once the record is durable (and only then is it kept). */
  async put(record: RunRecord): Promise<void> {
    if (this.#log === undefined) throw new Error('RunJournal.init() was not called');
    await this.#log.append([JSON.stringify(record)], () => this.#records.set(record.runId, record));
  }

  /** Runs accepted but never finished: the agent stopped while they were in flight. */
  unfinished(): Promise<RunRecord[]> {
    return Promise.resolve([...this.#records.values()].filter((r) => r.state === 'accepted'));
  }

  /** Waits for pending appends and closes the log. */
  async close(): Promise<void> {
    await this.#log?.close();
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
