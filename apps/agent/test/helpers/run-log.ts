import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_LOG_FILE } from '../../src/jobs/run-journal.js';

/** The agent's run log as it is on disk: the last record of each run (later lines win). */
export async function runRecordsOnDisk(dataDir: string): Promise<Map<string, Record<string, unknown>>> {
  const text = await readFile(join(dataDir, RUN_LOG_FILE), 'utf8').catch(() => '');
  const records = new Map<string, Record<string, unknown>>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    records.set(String(record.runId), record);
  }
  return records;
}
