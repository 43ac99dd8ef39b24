import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FlotillaClient } from '@flotilla/client';
import type { LogLine } from '@flotilla/protocol';

/** Every stored log line of a job, following the `after` cursor to the end. */
export async function jobLogs(client: FlotillaClient, jobId: string): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let after = 0;
  for (;;) {
    const page = await client.api.logs.list({ params: { id: jobId }, query: { after, limit: 1000 } });
    lines.push(...page.items);
    if (page.items.length < 1000) return lines;
    after = Math.max(after, ...page.items.map((l) => l.seq));
  }
}

/** The lines of a marker file (`[]` when the file does not exist). */
export async function markerLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  });
  return text.split('\n').filter((line) => line !== '');
}

/** How often each value occurs. */
export function tally(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** A step as the control plane stored it. */
export interface StoredStep {
  step: string;
  status: string;
}

/**
 * The steps of a run as stored by the control plane (its SQLite file, opened read-only beside
 * the running server). The REST API does not expose step states yet; this is the truth the
 * API would serve.
 */
export function storedSteps(serverDataDir: string, runId: string): StoredStep[] {
  const db = new Database(join(serverDataDir, 'flotilla.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT step, status FROM run_steps WHERE run_id = ? ORDER BY step').all(runId) as StoredStep[];
  } finally {
    db.close();
  }
}

/**
 * True when some file under the agent's data dir mentions both the run and `needle`: the
 * agent's durable record (journal, outbox) of e.g. `run.finished`, whatever file it is kept in.
 */
export async function agentRecorded(agentDataDir: string, runId: string, needle: string): Promise<boolean> {
  for (const entry of await readdir(agentDataDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8').catch(() => '');
    if (text.includes(runId) && text.includes(needle)) return true;
  }
  return false;
}
