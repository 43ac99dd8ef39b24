import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunEventFrame } from './outbox-file.js';

export const QUARANTINE_FILE = 'outbox-quarantine.jsonl';

/** Why events were taken out of the stream and cut. */
export type QuarantineReason = 'stored-oversize' | 'refused-by-control-plane';

/**
 * Keeps the original of every event the outbox had to cut after it was numbered (an oversize
 * event from an older agent version, or one the control plane refused), so that nothing is
 * dropped silently: `<dataDir>/outbox-quarantine.jsonl`, JSON lines of
 * `{quarantinedAt, reason, frame}`, mode 0600 (events can carry what a step printed). Appended
 * and fdatasynced before the cut form replaces the original in the outbox.
 */
export async function appendQuarantine(
  dataDir: string,
  reason: QuarantineReason,
  frames: readonly RunEventFrame[],
): Promise<void> {
  if (frames.length === 0) return;
  const quarantinedAt = new Date().toISOString();
  const handle = await open(join(dataDir, QUARANTINE_FILE), 'a', 0o600);
  try {
    await handle.appendFile(frames.map((frame) => `${JSON.stringify({ quarantinedAt, reason, frame })}\n`).join(''));
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
