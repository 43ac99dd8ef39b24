import { FlotillaError, type AgentFrame, type JobEnvelope, type JobPayload, type RunEvent } from '@flotilla/protocol';
import type { AgentIdentity } from '../identity/agent-identity.js';
import type { EventOutbox } from '../events/event-outbox.js';
import type { AgentLogger } from '../logger.js';
import { openJobEnvelope } from './job-envelope.js';
import type { RunJournal, RunRecord } from './run-journal.js';
import { AGENT_STOP_FAILURE } from './run-events.js';
import type { RunExecutor, RunResult } from './run-executor.js';
import type { SecretBox } from './secret-box.js';

export interface JobRunnerOptions {
  readonly identity: Pick<AgentIdentity, 'serverKey' | 'state'>;
  readonly journal: RunJournal;
  readonly outbox: Pick<EventOutbox, 'push'>;
  readonly executor: RunExecutor;
  /** Seals run secrets in the run record, so a resumed run has them without clear text on disk. */
  readonly secretBox: SecretBox;
  /** Runs executed at once (read on every scheduling decision: the policy may change). */
  readonly maxConcurrentRuns: () => number;
  /** Sends `job.ack` / `job.reject` on the current session. */
  readonly send: (frame: AgentFrame) => boolean;
  readonly logger: AgentLogger;
}

export interface JobRunnerStats {
  runsActive: number;
  /** Accepted runs waiting for a free slot (`max_concurrent_runs`). */
  runsQueued: number;
  runsStarted: number;
  /** Runs picked up again from the journal after a restart. */
  runsResumed: number;
  offersRejected: number;
}

interface Pending {
  readonly payload: JobPayload;
  readonly record: RunRecord;
  readonly resumed: boolean;
}

/**
 * Turns verified job offers into runs: verify → journal (fsync) → ack → execute, reporting
 * `run.started` … `run.finished` through the outbox. Runs go on while disconnected; at most
 * `maxConcurrentRuns` execute at once, the rest wait in order.
 */
export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #accepting = new Map<string, Promise<RunRecord | undefined>>();
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  readonly #queue: Pending[] = [];
  readonly #stats = { runsStarted: 0, runsResumed: 0, offersRejected: 0 };
  #open = true;

  constructor(options: JobRunnerOptions) {
    this.#o = options;
  }

  stats(): JobRunnerStats {
    return { runsActive: this.#active.size, runsQueued: this.#queue.length, ...this.#stats };
  }

  /** Handles one `job.offer`; never throws. */
  async offer(envelope: JobEnvelope): Promise<void> {
    const { state, serverKey } = this.#o.identity;
    const check = openJobEnvelope(envelope, serverKey, state.agentId);
    if (!check.ok) {
      this.#stats.offersRejected += 1;
      this.#o.logger.warn({ runId: check.runId, code: check.code, reason: check.message }, 'job offer rejected');
      this.#o.send({
        type: 'job.reject',
        ...(check.runId === undefined ? {} : { runId: check.runId }),
        code: check.code,
        message: check.message,
      });
      return;
    }
    const { payload } = check;
    if (!this.#open && !this.#accepting.has(payload.runId)) {
      // Not acknowledged: the control plane keeps the run and offers it again later.
      this.#o.logger.info({ runId: payload.runId }, 'shutting down; job offer left for later');
      return;
    }
    // Only the offer that created the acceptance may start the run; repeats only re-ack.
    let acceptance = this.#accepting.get(payload.runId);
    const first = acceptance === undefined;
    if (acceptance === undefined) {
      acceptance = this.#accept(payload);
      this.#accepting.set(payload.runId, acceptance);
    }
    let fresh: RunRecord | undefined;
    try {
      fresh = await acceptance;
    } catch (err) {
      this.#accepting.delete(payload.runId);
      this.#o.logger.error({ err, runId: payload.runId }, 'cannot journal the run');
      this.#o.send({
        type: 'job.reject',
        runId: payload.runId,
        code: 'INTERNAL',
        message: 'the agent cannot record the run on disk',
      });
      return;
    }
    this.#o.send({ type: 'job.ack', runId: payload.runId });
    if (first && fresh !== undefined) this.#schedule({ payload, record: fresh, resumed: false });
  }

  /**
   * Picks up runs a previous process accepted but did not finish (SPEC §5.3): each is resumed
   * from the engine's journal (finished steps are not run again). A record without its job
   * (older format, damaged) can only be reported `interrupted`.
   */
  async recover(): Promise<void> {
    for (const record of await this.#o.journal.unfinished()) {
      this.#accepting.set(record.runId, Promise.resolve(undefined));
      let secrets: Record<string, string> = {};
      try {
        if (record.sealedSecrets !== undefined) secrets = this.#o.secretBox.open(record.sealedSecrets);
      } catch (err) {
        this.#o.logger.error({ err, runId: record.runId }, 'cannot open the sealed secrets of the run');
        await this.#finish(record, {
          state: 'interrupted',
          exitCode: null,
          error: { code: 'INTERRUPTED', message: 'the run secrets are unreadable', retryable: false },
        });
        continue;
      }
      if (record.job === undefined) {
        await this.#finish(record, { state: 'interrupted', exitCode: null, error: AGENT_STOP_FAILURE });
        this.#o.logger.warn({ runId: record.runId }, 'run was interrupted by an agent stop');
        continue;
      }
      this.#o.logger.info({ runId: record.runId }, 'resuming a run left in flight');
      this.#stats.runsResumed += 1;
      this.#schedule({ payload: { ...record.job, secrets }, record, resumed: true });
    }
  }

  /** Stops one run (operator cancel); false when the run is neither running nor queued here. */
  cancel(runId: string): boolean {
    const run = this.#active.get(runId);
    if (run !== undefined) {
      run.controller.abort(new FlotillaError('CANCELLED'));
      return true;
    }
    const index = this.#queue.findIndex((p) => p.payload.runId === runId);
    const queued = this.#queue[index];
    if (queued === undefined) return false;
    this.#queue.splice(index, 1);
    void this.#finish(queued.record, {
      state: 'cancelled',
      exitCode: null,
      error: { code: 'CANCELLED', message: 'cancelled before it started', retryable: false },
    });
    return true;
  }

  /** Stops taking offers, lets runs finish for `graceMs`, then interrupts the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.#open = false;
    // queued runs stay `accepted` on disk: the next start resumes them
    this.#queue.splice(0);
    const all = (): Promise<unknown> => Promise.all([...this.#active.values()].map((r) => r.done));
    if (this.#active.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([all(), graceOver]);
    clearTimeout(timer);
    for (const run of this.#active.values())
      run.controller.abort(new FlotillaError('INTERRUPTED', { detail: 'the agent is stopping' }));
    await all();
  }

  /** The new journal record, or undefined when the run was journaled before (never rerun). */
  async #accept(payload: JobPayload): Promise<RunRecord | undefined> {
    if ((await this.#o.journal.get(payload.runId)) !== undefined) return undefined;
    const { secrets, ...job } = payload;
    const record: RunRecord = {
      runId: payload.runId,
      jobId: payload.jobId,
      acceptedAt: now(),
      state: 'accepted',
      job,
      ...(Object.keys(secrets).length === 0 ? {} : { sealedSecrets: this.#o.secretBox.seal(secrets) }),
    };
    await this.#o.journal.put(record);
    return record;
  }

  /** Starts queued runs when `maxConcurrentRuns` grew (a policy reload). */
  capacityChanged(): void {
    this.#drain();
  }

  #schedule(pending: Pending): void {
    this.#queue.push(pending);
    this.#drain();
  }

  #drain(): void {
    while (this.#open && this.#queue.length > 0 && this.#active.size < this.#o.maxConcurrentRuns()) {
      const next = this.#queue.shift();
      if (next !== undefined) this.#start(next);
    }
  }

  #start({ payload, record, resumed }: Pending): void {
    const controller = new AbortController();
    const { runId } = payload;
    if (!resumed) this.#stats.runsStarted += 1;
    this.#o.logger.info({ runId, jobId: payload.jobId, resumed }, 'run started');
    const done = this.#execute(payload, record, controller.signal).finally(() => {
      this.#active.delete(runId);
      this.#drain();
    });
    this.#active.set(runId, { controller, done });
  }

  async #execute(payload: JobPayload, record: RunRecord, signal: AbortSignal): Promise<void> {
    const { runId } = payload;
    this.#emit(runId, { kind: 'run.started', ts: now() });
    let result: RunResult;
    try {
      result = await this.#o.executor.execute(payload, { emit: (event) => this.#emit(runId, event) }, signal);
    } catch (err) {
      // a local error: logged here with its cause, reported without its message (never serialised)
      this.#o.logger.error({ err, runId }, 'executor failed');
      result = {
        state: 'failed',
        exitCode: null,
        error: { code: 'INTERNAL', message: 'the agent failed to run the job; see the agent log', retryable: false },
      };
    }
    this.#o.logger.info({ runId, state: result.state, exitCode: result.exitCode }, 'run finished');
    await this.#finish(record, result);
  }

  /** Reports the end of a run and records it, so it is never resumed or started again. */
  async #finish(record: RunRecord, result: RunResult): Promise<void> {
    this.#emit(record.runId, {
      kind: 'run.finished',
      ts: now(),
      state: result.state,
      exitCode: result.exitCode,
      ...(result.error === undefined ? {} : { error: result.error }),
    });
    try {
      // a finished run is never resumed: its secrets have no reason to stay on disk, even sealed
      await this.#o.journal.put({ ...record, state: 'finished', result, finishedAt: now(), sealedSecrets: undefined });
      // never resumed now: the engine's journal of the run can go
      this.#o.executor.release?.(record.runId);
    } catch (err) {
      this.#o.logger.error({ err, runId: record.runId }, 'cannot journal the run result');
    }
  }

  #emit(runId: string, event: RunEvent): void {
    this.#o.outbox.push(runId, event);
  }
}

function now(): string {
  return new Date().toISOString();
}
