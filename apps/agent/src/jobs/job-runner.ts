import { FlotillaError, type AgentFrame, type JobEnvelope, type JobPayload, type RunEvent } from '@flotilla/protocol';
import type { AgentIdentity } from '../identity/agent-identity.js';
import type { EventOutbox } from '../events/event-outbox.js';
import type { AgentLogger } from '../logger.js';
import { openJobEnvelope } from './job-envelope.js';
import type { RunJournal, RunRecord } from './run-journal.js';
import type { RunExecutor, RunResult } from './run-executor.js';

export interface JobRunnerOptions {
  readonly identity: Pick<AgentIdentity, 'serverKey' | 'state'>;
  readonly journal: RunJournal;
  readonly outbox: Pick<EventOutbox, 'push'>;
  readonly executor: RunExecutor;
  /** Sends `job.ack` / `job.reject` on the current session. */
  readonly send: (frame: AgentFrame) => boolean;
  readonly logger: AgentLogger;
}

export interface JobRunnerStats {
  runsActive: number;
  runsStarted: number;
  offersRejected: number;
}

interface ActiveRun {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

/**
 * Turns verified job offers into runs: verify → journal (fsync) → ack → execute, reporting
 * `run.started` … `run.finished` through the outbox. Runs go on while disconnected.
 */
export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #accepting = new Map<string, Promise<RunRecord | undefined>>();
  readonly #active = new Map<string, ActiveRun>();
  readonly #stats = { runsStarted: 0, offersRejected: 0 };
  #open = true;

  constructor(options: JobRunnerOptions) {
    this.#o = options;
  }

  stats(): JobRunnerStats {
    return { runsActive: this.#active.size, ...this.#stats };
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
    if (first && fresh !== undefined) this.#start(payload, fresh);
  }

  /** Reports runs that were in flight when the agent last stopped as `interrupted` (SPEC §5.3). */
  async recoverInterrupted(): Promise<void> {
    for (const record of await this.#o.journal.unfinished()) {
      this.#accepting.set(record.runId, Promise.resolve(undefined));
      const result: RunResult = {
        state: 'interrupted',
        exitCode: null,
        error: 'the agent stopped while the run was in flight',
      };
      this.#emit(record.runId, { kind: 'run.finished', ts: now(), ...result });
      await this.#o.journal.put({ ...record, state: 'finished', result, finishedAt: now() });
      this.#o.logger.warn({ runId: record.runId }, 'run was interrupted by an agent stop');
    }
  }

  /** Stops one run (operator cancel); false when it is not running here. */
  cancel(runId: string): boolean {
    const run = this.#active.get(runId);
    run?.controller.abort(new FlotillaError('CANCELLED'));
    return run !== undefined;
  }

  /** Stops taking offers, lets runs finish for `graceMs`, then interrupts the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.#open = false;
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
    const record: RunRecord = { runId: payload.runId, jobId: payload.jobId, acceptedAt: now(), state: 'accepted' };
    await this.#o.journal.put(record);
    return record;
  }

  #start(payload: JobPayload, record: RunRecord): void {
    const controller = new AbortController();
    const { runId } = payload;
    this.#stats.runsStarted += 1;
    this.#o.logger.info({ runId, jobId: payload.jobId }, 'run started');
    const done = this.#execute(payload, record, controller.signal).finally(() => this.#active.delete(runId));
    this.#active.set(runId, { controller, done });
  }

  async #execute(payload: JobPayload, record: RunRecord, signal: AbortSignal): Promise<void> {
    const { runId } = payload;
    this.#emit(runId, { kind: 'run.started', ts: now() });
    let result: RunResult;
    try {
      result = await this.#o.executor.execute(
        payload,
        {
          emit: (event) => {
            this.#emit(runId, event);
          },
        },
        signal,
      );
    } catch (err) {
      this.#o.logger.error({ err, runId }, 'executor failed');
      result = {
        state: 'failed',
        exitCode: null,
        error: `INTERNAL: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    this.#emit(runId, {
      kind: 'run.finished',
      ts: now(),
      state: result.state,
      exitCode: result.exitCode,
      ...(result.error === undefined ? {} : { error: result.error }),
    });
    this.#o.logger.info({ runId, state: result.state, exitCode: result.exitCode }, 'run finished');
    try {
      await this.#o.journal.put({ ...record, state: 'finished', result, finishedAt: now() });
    } catch (err) {
      this.#o.logger.error({ err, runId }, 'cannot journal the run result');
    }
  }

  #emit(runId: string, event: RunEvent): void {
    this.#o.outbox.push(runId, event);
  }
}

function now(): string {
  return new Date().toISOString();
}
