import { mkdir } from 'node:fs/promises';
import { platform } from 'node:os';
import { join } from 'node:path';
import type { AgentFrame, FlotillaError, Transport } from '@flotilla/protocol';
import { killLeftoverProcesses, useLauncherHelper } from '@flotilla/steps';
import { AgentConnection, type ConnectionStats } from './connection/agent-connection.js';
import { WebSocketTransport } from './connection/websocket-transport.js';
import { EventOutbox } from './events/event-outbox.js';
import { loadOrEnrollIdentity } from './identity/agent-identity.js';
import { createEngineExecutor } from './jobs/engine-executor.js';
import { JobRunner, type JobRunnerStats } from './jobs/job-runner.js';
import type { RunExecutor } from './jobs/run-executor.js';
import { RunJournal } from './jobs/run-journal.js';
import { createSecretBox } from './jobs/secret-box.js';
import { createAgentLogger, type AgentLogger } from './logger.js';
import type { CompiledAgentOptions } from './options.js';
import { PolicyStore } from './policy/policy-store.js';
import { workDirOf, type CompiledPolicy } from './policy/policy-schema.js';

/** Counters for health reports and tests. */
export interface AgentStats extends ConnectionStats, JobRunnerStats {
  /** Run events not yet acknowledged by the control plane. */
  outboxPending: number;
  /** The largest frame the outbox sends, in bytes: `MAX_AGENT_FRAME_BYTES` until a refusal halves it. */
  outboxFrameBytes: number;
}

/** A running agent. */
export interface AgentHandle {
  readonly agentId: string;
  readonly name: string;
  stats(): AgentStats;
  /** The policy in force (hot-reloaded from the policy file). */
  policy(): CompiledPolicy;
  /** Graceful stop: no new offers, running steps get the grace period, flush, close 1000. */
  stop(): Promise<void>;
  /** Resolves after `stop()`; rejects with the fatal `FlotillaError` (revoked, auth, version). */
  readonly done: Promise<void>;
}

/** Optional collaborators; the defaults are what production uses. */
export interface StartAgentContext {
  /** Aborting it stops the agent (also while enrolment is still retrying). */
  readonly signal?: AbortSignal | undefined;
  readonly logger?: AgentLogger | undefined;
  /** Replaces the workflow engine executor (tests that need a scripted executor). */
  readonly executor?: RunExecutor | undefined;
  /**
   * Opens a connection to the control plane, once per session. @default a WebSocket to
   * `options.wsUrl`; tests give one end of `createLinkedTransports()`
   */
  readonly connect?: (() => Transport) | undefined;
}

/** How long a stopping agent waits for the control plane to acknowledge its last events. */
const FLUSH_TIMEOUT_MS = 3000;

/** The ledger of the step processes running (`ProcessLedger`), inside the agent's data dir. */
export const PROCESS_LEDGER_FILE = 'processes.jsonl';

/**
 * Starts the agent: policy, identity (enrolling on first start), journal and outbox, runs left
 * in flight by a previous process, then the connection loop. Rejects when the agent cannot
 * start (invalid policy file: CONFIG_INVALID, enrolment refused, no token, bad data dir);
 * later fatal errors reject `done`.
 */
export async function startAgent(options: CompiledAgentOptions, context: StartAgentContext = {}): Promise<AgentHandle> {
  const logger = context.logger ?? createAgentLogger(options);
  // First of all, before anything can be resumed: steps that a crash of the previous agent
  // process (and its launcher helper) left running must not run on next to their re-run.
  const ledgerFile = join(options.dataDir, PROCESS_LEDGER_FILE);
  const leftovers = killLeftoverProcesses(ledgerFile);
  if (leftovers.killed.length > 0) {
    logger.warn(
      { pids: leftovers.killed, previousAgentPid: leftovers.ownerPid },
      'killed step processes left running by the previous agent process',
    );
  } else if (leftovers.owner === 'alive' && leftovers.ownerPid !== process.pid) {
    logger.warn({ pid: leftovers.ownerPid }, 'another running process is starting steps for this data dir');
  }
  // the policy first: a bad policy file must stop the agent before it enrols or runs anything
  const policy = await PolicyStore.open({ dataDir: options.dataDir, file: options.policyFile, logger });
  const identity = await loadOrEnrollIdentity(options, logger, context.signal);
  const journal = new RunJournal(options.dataDir);
  await journal.init();
  await mkdir(workDirOf(options.dataDir), { recursive: true, mode: 0o700 });
  // commands fork from a small helper process, not from the agent (see useLauncherHelper); the
  // helper process itself starts with the first command
  const launcherHelper = useLauncherHelper({ ledgerFile });
  const engineExecutor =
    context.executor === undefined
      ? await createEngineExecutor({
          dataDir: options.dataDir,
          policy,
          agent: { name: identity.state.name, labels: { ...options.labels }, os: platform() },
          launch: launcherHelper.launch,
          abortGraceMs: options.killGraceMs,
          resumable: (await journal.unfinished()).map((r) => r.runId),
        }).catch(async (err: unknown) => {
          await launcherHelper.release();
          throw err;
        })
      : undefined;
  let settle: { resolve: () => void; reject: (err: FlotillaError) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // `done` is for whoever awaits it; an unobserved fatal error must not crash the process.
  done.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  const shutdown = (graceMs: number, fatal?: FlotillaError): Promise<void> => {
    stopping ??= (async () => {
      try {
        await runner.shutdown(graceMs);
        await launcherHelper.release();
        if (connection.ready) await outbox.drained(FLUSH_TIMEOUT_MS);
        await connection.close();
        await outbox.close();
        await journal.close();
        await policy.close();
        await engineExecutor?.close();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
      }
      logger.info({}, 'agent stopped');
      if (fatal === undefined) settle?.resolve();
      else settle?.reject(fatal);
    })();
    return stopping;
  };

  // The session callbacks use the outbox and runner created below; none fires before start().
  const connection: AgentConnection = new AgentConnection({
    wsUrl: options.wsUrl,
    connect:
      context.connect ??
      (() =>
        WebSocketTransport.connect(options.wsUrl, (err) => {
          logger.debug({ err: err.message }, 'connection error');
        })),
    identity,
    logger,
    reconnectBaseMs: options.reconnectBaseMs,
    reconnectCapMs: options.reconnectCapMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    maxConcurrentRuns: () => policy.current().maxConcurrentRuns,
    events: {
      onReady: (lastEventSeq) => {
        outbox.resume(lastEventSeq);
      },
      onSessionFrame: (frame) => {
        if (frame.type === 'event.ack') outbox.ack(frame.seq);
        else if (frame.type === 'job.offer') void runner.offer(frame.envelope);
        else if (runner.cancel(frame.runId)) logger.info({ runId: frame.runId }, 'run cancelled by the control plane');
        else logger.info({ runId: frame.runId }, 'cancel for a run that is not running here; ignored');
      },
      onFatal: (error) => {
        void shutdown(0, error);
      },
      onFrameTooLarge: () => {
        outbox.frameRefused();
      },
    },
  });
  const send = (frame: AgentFrame): boolean => connection.send(frame);
  const outbox = await EventOutbox.open(
    options.dataDir,
    { send: (frame, text) => connection.send(frame, text) },
    logger,
  );
  const runner = new JobRunner({
    identity,
    journal,
    outbox,
    executor: context.executor ?? engineExecutor ?? unreachable(),
    secretBox: createSecretBox(identity.key.deriveKey('flotilla-run-secrets/v1')),
    maxConcurrentRuns: () => policy.current().maxConcurrentRuns,
    send,
    logger,
  });
  await runner.recover();
  policy.onChange(() => {
    runner.capacityChanged();
  });
  policy.watch();

  connection.start();
  context.signal?.addEventListener('abort', () => void shutdown(options.shutdownGraceMs), { once: true });

  return {
    agentId: identity.state.agentId,
    name: identity.state.name,
    stats: () => ({
      ...connection.stats(),
      ...runner.stats(),
      outboxPending: outbox.size,
      outboxFrameBytes: outbox.frameBytes,
    }),
    policy: () => policy.current(),
    stop: () => shutdown(options.shutdownGraceMs),
    done,
  };
}

function unreachable(): never {
  throw new Error('unreachable: an executor is always set');
}
