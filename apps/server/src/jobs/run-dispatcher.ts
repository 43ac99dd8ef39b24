import type { FastifyBaseLogger } from 'fastify';
import { FlotillaError, TERMINAL_STATES, isFlotillaError, toFailure } from '@flotilla/protocol';
import type { JobEnvelope } from '@flotilla/protocol';
import type { ServerKey } from '../bootstrap/server-key.js';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import type { MasterKey } from '../secrets/master-key.js';
import { resolveRunSecrets } from '../secrets/secret-repo.js';
import type { Store } from '../store/store.js';
import { nowIso } from '../store/time.js';
import type { JobUpdate, StoredLogs } from './job-events.js';
import { signJobEnvelope } from './job-envelope.js';
import { advanceRollout, hasRollout } from './rollout-progress.js';
import { storedFailure } from './run-failure.js';
import { expireRuns, offersForAgent, pendingCancels, transitionRun } from './run-repo.js';
import type { RunOffer } from './run-repo.js';

export interface RunDispatcherOptions {
  store: Store;
  /** Signs job envelopes. */
  serverKey: ServerKey;
  /** Opens the secrets that job envelopes carry. */
  masterKey: MasterKey;
  bus: ClusterBus;
  logger: FastifyBaseLogger;
  /** How often queued runs of expired jobs are marked `expired`. @default 1000 */
  expirySweepMs?: number;
}

/** A run's offer, ready to send: its envelope signed, its secrets inside. */
export interface SignedOffer {
  runId: string;
  envelope: JobEnvelope;
}

/**
 * Moves runs from the queue to agents (SPEC §6), independent of any socket: it picks the runs an
 * agent may take now, resolves their secrets, marks them `dispatched` and signs their envelopes
 * (the connection only sends them); it asks the replicas holding agents to offer or cancel
 * (through the cluster bus), announces committed progress on the bus, and lets runs that ended
 * take effect (rollout batches, freed slots).
 */
export class RunDispatcher {
  readonly #options: RunDispatcherOptions;
  /** Rollout progress and slot refills, one after another (they read-modify-write job rows). */
  #progress: Promise<void> = Promise.resolve();
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: RunDispatcherOptions) {
    this.#options = options;
  }

  /** Starts the expiry sweeper. */
  start(): void {
    this.#sweeper = setInterval(() => {
      this.#sweeping = this.#sweepExpired();
    }, this.#options.expirySweepMs ?? 1000);
    this.#sweeper.unref();
  }

  /** Stops sweeping and taking progress further; resolves once the work in flight is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    await this.#sweeping;
    await this.#progress;
  }

  /**
   * The signed offers for an agent now: its queued runs up to its free slots (and with `resend`
   * its dispatched runs, whose offer may have been lost with a previous connection). Secrets are
   * decrypted here, once per envelope signed; a run whose secrets are gone fails instead. The
   * runs taken from the queue are marked `dispatched` in one write before anything is returned.
   * The caller sends the offers in order and calls this for one agent at a time.
   */
  async offers(agentId: string, options: { resend: boolean }): Promise<SignedOffer[]> {
    const { store } = this.#options;
    const ready: { offer: RunOffer; secrets: Record<string, string> }[] = [];
    for (const offer of await offersForAgent(store.db, agentId, options)) {
      try {
        ready.push({ offer, secrets: await this.#runSecrets(offer) });
      } catch (err) {
        // A secret deleted after submit, or a master key that no longer opens it: the run
        // cannot get what it declared, so it fails with that reason instead of waiting forever.
        await this.#failUndeliverable(offer, err);
      }
    }
    if (ready.length === 0) return [];
    const issuedAt = nowIso();
    const { offers, updates } = await store.write(async (trx) => {
      const out = { offers: [] as typeof ready, updates: [] as JobUpdate[] };
      for (const item of ready) {
        if (item.offer.state === 'queued') {
          const { offer } = item;
          const update = await transitionRun(trx, {
            runId: offer.runId,
            agentId: offer.agentId,
            transition: 'dispatch',
            set: { dispatched_at: issuedAt },
          });
          // Taken meanwhile (cancelled, expired): not offered.
          if (update === undefined) continue;
          out.updates.push(update);
        }
        out.offers.push(item);
      }
      return out;
    });
    this.announce(updates, []);
    return offers.map(({ offer, secrets }) => ({
      runId: offer.runId,
      envelope: signJobEnvelope(this.#options.serverKey, offer, issuedAt, secrets),
    }));
  }

  /** Runs of an agent cancelled while on it: `job.cancel` is (re)sent whenever it connects. */
  pendingCancels(agentId: string): Promise<string[]> {
    return pendingCancels(this.#options.store.db, agentId);
  }

  /** Asks the replicas holding these agents to offer them queued runs (agents nobody holds get them on connect). */
  async pump(agentIds: readonly string[]): Promise<void> {
    if (agentIds.length > 0) await this.#options.bus.commands.send({ type: 'offer', agentIds: [...agentIds] });
  }

  /** Asks the agents holding these runs to stop them (others hear it when they connect). */
  async cancel(runs: readonly { runId: string; agentId: string }[]): Promise<void> {
    if (runs.length > 0) await this.#options.bus.commands.send({ type: 'cancel', runs: [...runs] });
  }

  /**
   * Publishes committed progress on the cluster bus, then (in the background, in order) lets it
   * take effect: a run that ended frees a slot on its agent and may open the next rollout batch
   * or stop the rollout. The replica that committed the change does this, no other.
   */
  announce(updates: readonly JobUpdate[], logs: readonly StoredLogs[]): void {
    const { bus, logger } = this.#options;
    for (const range of logs) bus.events.publish({ type: 'job.logs', ...range }).catch(this.#notPublished);
    for (const update of updates) bus.events.publish({ type: 'run.changed', ...update }).catch(this.#notPublished);
    const ended = updates.filter((u) => TERMINAL_STATES.has(u.runState));
    if (ended.length === 0 || this.#stopped) return;
    this.#progress = this.#progress
      .then(() => this.#takeEffect(ended))
      .catch((err: unknown) => {
        logger.error({ err }, 'job progress failed');
      });
  }

  readonly #notPublished = (err: unknown): void => {
    this.#options.logger.warn({ err }, 'cluster event not published');
  };

  /** Resolves when all progress announced so far has taken effect (tests, shutdown). */
  settled(): Promise<void> {
    return this.#progress;
  }

  async #takeEffect(ended: JobUpdate[]): Promise<void> {
    const { store } = this.#options;
    const agents = new Set(ended.map((u) => u.agentId));
    for (const jobId of new Set(ended.map((u) => u.jobId))) {
      // A read first: a job without a rollout needs no write.
      if (!(await hasRollout(store.db, jobId))) continue;
      const step = await store.write((trx) => advanceRollout(trx, jobId));
      for (const agentId of step.agentIds) agents.add(agentId);
      if (step.opened !== null)
        this.#options.bus.events.publish({ type: 'rollout.changed', jobId, ...step.opened }).catch(this.#notPublished);
      if (step.updates.length > 0) this.announce(step.updates, []);
    }
    await this.pump([...agents]);
  }

  async #sweepExpired(): Promise<void> {
    try {
      const updates = await this.#options.store.write((trx) => expireRuns(trx));
      if (updates.length > 0) this.announce(updates, []);
    } catch (err) {
      if (!this.#stopped) this.#options.logger.warn({ err }, 'expiry sweep failed');
    }
  }

  #runSecrets(offer: RunOffer): Promise<Record<string, string>> {
    if (offer.secretNames.length === 0) return Promise.resolve({});
    return resolveRunSecrets({
      db: this.#options.store.db,
      masterKey: this.#options.masterKey,
      scope: offer,
      names: offer.secretNames,
    });
  }

  async #failUndeliverable(offer: RunOffer, err: unknown): Promise<void> {
    const { logger, store } = this.#options;
    const problem = isFlotillaError(err)
      ? err
      : new FlotillaError('INTERNAL', { detail: 'the secrets of this run could not be resolved', cause: err });
    if (!isFlotillaError(err)) logger.error({ err, runId: offer.runId }, 'resolving run secrets failed');
    logger.warn({ runId: offer.runId, code: problem.code }, 'run cannot be delivered: its secrets are unavailable');
    const update = await store.write((trx) =>
      transitionRun(trx, {
        runId: offer.runId,
        agentId: offer.agentId,
        transition: 'undeliverable',
        set: { error: storedFailure(toFailure(problem)), finished_at: nowIso() },
      }),
    );
    if (update !== undefined) this.announce([update], []);
  }
}
