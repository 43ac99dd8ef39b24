import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { JobPayloadSchema, RunStateSchema } from '@flotilla/protocol';
import { readFileIfExists, writeFileAtomic } from '../identity/atomic-file.js';

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

/**
 * `<dataDir>/runs/<runId>.json`: proof that a run was accepted (written with fsync before the
 * `job.ack`), so an offer repeated after a reconnect or restart is acknowledged but never
 * started twice, and the job itself, so a run cut short by a crash can be resumed from the
 * engine's journal. The step-level history lives in that journal (`<dataDir>/journal/`).
 */
export class RunJournal {
  readonly #dir: string;

  constructor(dataDir: string) {
    this.#dir = join(dataDir, 'runs');
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const text = await readFileIfExists(this.#path(runId));
    if (text === undefined) return undefined;
    const parsed = RunRecordSchema.safeParse(safeJson(text));
    // An unreadable record still proves the run was accepted: treat it as such, never re-run.
    return parsed.success ? parsed.data : { runId, jobId: '', acceptedAt: '', state: 'accepted' };
  }

  async put(record: RunRecord): Promise<void> {
    await writeFileAtomic(this.#path(record.runId), `${JSON.stringify(record)}\n`, 0o600);
  }

  /** Runs accepted but never finished: the agent stopped while they were in flight. */
  async unfinished(): Promise<RunRecord[]> {
    const names = await readdir(this.#dir);
    const records: RunRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const record = await this.get(name.slice(0, -'.json'.length));
      if (record?.state === 'accepted') records.push(record);
    }
    return records;
  }

  #path(runId: string): string {
    return join(this.#dir, `${runId}.json`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
