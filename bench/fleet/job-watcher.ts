import { TERMINAL_STATES, type RunState } from '@flotilla/protocol';
import type { FlotillaServer, RunChangedEvent } from '@flotilla/server';

interface Timing {
  /** First `running` of any run: the agent acknowledged (journaled) the job. */
  ackAt?: number;
  /** The job reached a terminal state: every result is stored. */
  doneAt?: number;
  state?: RunState;
  waiters: (() => void)[];
}

/**
 * Timestamps (performance.now) of job milestones taken from the control plane's cluster bus
 * (`run.changed` events, published after the change is committed to the store). Needs no
 * polling, so the measurement adds no load.
 */
export class JobWatcher {
  private readonly jobs = new Map<string, Timing>();
  private readonly listener = (update: RunChangedEvent): void => {
    const now = performance.now();
    const t = this.timing(update.jobId);
    if (update.runState === 'running') t.ackAt ??= now;
    if (TERMINAL_STATES.has(update.jobState) && t.doneAt === undefined) {
      t.doneAt = now;
      t.state = update.jobState;
      for (const wake of t.waiters.splice(0)) wake();
    }
  };

  private readonly unsubscribe: () => void;

  constructor(events: FlotillaServer['events']) {
    this.unsubscribe = events.subscribe('run.changed', this.listener);
  }

  private timing(jobId: string): Timing {
    let t = this.jobs.get(jobId);
    if (t === undefined) {
      t = { waiters: [] };
      this.jobs.set(jobId, t);
    }
    return t;
  }

  /** Resolves with the job's milestones once it is terminal. */
  async done(
    jobId: string,
    timeoutMs = 120_000,
  ): Promise<{ ackAt: number | undefined; doneAt: number; state: RunState }> {
    const t = this.timing(jobId);
    if (t.doneAt === undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`bench: job ${jobId} did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
        t.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return { ackAt: t.ackAt, doneAt: t.doneAt ?? Number.NaN, state: t.state ?? 'unknown' };
  }

  close(): void {
    this.unsubscribe();
    this.jobs.clear();
  }
}
