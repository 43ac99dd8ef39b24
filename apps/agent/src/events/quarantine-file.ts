import { join } from 'node:path';
import { JsonlLog } from '@flotilla/steps';
import type { RunEventFrame } from './outbox-file.js';

export const QUARANTINE_FILE = 'outbox-quarantine.jsonl';

/** Why events were taken out of the stream and cut. */
export type QuarantineReason = 'stored-oversize' | 'refused-by-control-plane';

/**
 * Keeps the original of every event the outbox had to cut after it was numbered (an oversize
 * event from an older agent version, or one the control plane refused), so that nothing is
 * dropped silently: `<dataDir>/outbox-quarantine.jsonl`, JSON lines of
 * `{quarantinedAt, reason, frame}`, mode 0600 (events can carry what a step printed), an
 * append-only {@link JsonlLog} opened on first use. Appends are durable before the cut form
 * replaces the original in the outbox.
 */
export class QuarantineFile {
  readonly #path: string;
  #log: Promise<JsonlLog> | undefined;

  constructor(dataDir: string) {
    this.#path = join(dataDir, QUARANTINE_FILE);
  }

  async append(reason: QuarantineReason, frames: readonly RunEventFrame[]): Promise<void> {
    if (frames.length === 0) return;
    const quarantinedAt = new Date().toISOString();
    const log = (this.#log ??= JsonlLog.open(this.#path, { mode: 0o600 }));
    try {
      await (await log).append(frames.map((frame) => JSON.stringify({ quarantinedAt, reason, frame })));
    } catch (err) {
      // a failed append-only log stays failed: the next quarantine opens it anew (cutting a torn line)
      this.#log = undefined;
      await log.then((l) => l.close()).catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const log = this.#log;
    this.#log = undefined;
    await (await log?.catch(() => undefined))?.close();
  }
}
