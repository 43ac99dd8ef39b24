import type { AgentFrame, ServerFrame } from '@flotilla/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { recordAgentEvent, recordAgentEvents } from '../jobs/agent-event-store.js';
import type { JobUpdate, StepUpdate, StoredLogs } from '../jobs/job-events.js';
import { storedFailure } from '../jobs/run-failure.js';
import { transitionRun } from '../jobs/run-repo.js';
import type { EventStore } from '../jobs/agent-event-store.js';
import type { StoreWriter } from '../store/group-commit.js';
import { preparedQuery } from '../store/prepared.js';
import { nowIso } from '../store/time.js';

/** What handling a run frame produced: a reply to send and progress to announce. */
export interface RunFrameOutcome {
  reply?: ServerFrame;
  /**
   * Events beyond a gap were not stored: the session must end (after the reply) so the agent
   * replays everything after the ack in order on its next one.
   */
  replay?: boolean;
  updates: JobUpdate[];
  logs: StoredLogs[];
  /** Steps that started or ended. @default none */
  steps?: StepUpdate[];
}

type Frame<T extends AgentFrame['type']> = Extract<AgentFrame, { type: T }>;

const cancelRequestedQuery = preparedQuery((db, p: { runId: string; agentId: string }) =>
  db.selectFrom('runs').select('cancel_requested').where('id', '=', p.runId).where('agent_id', '=', p.agentId),
);

/**
 * `job.ack`: the agent journaled the job; the run is under way. A repeated ack changes nothing.
 * A cancel requested while the offer was in flight may have reached the agent before the run
 * existed there; the ack is answered with the cancel again, now that the agent knows the run.
 */
export async function handleJobAck(
  store: StoreWriter,
  agentId: string,
  frame: Frame<'job.ack'>,
): Promise<RunFrameOutcome> {
  const { update, run } = await store.write(async (trx) => ({
    update: await transitionRun(trx, { runId: frame.runId, agentId, transition: 'acknowledge' }),
    run: await cancelRequestedQuery.takeFirst(trx, { runId: frame.runId, agentId }),
  }));
  return {
    ...(run?.cancel_requested === 1 ? { reply: { type: 'job.cancel', runId: frame.runId } as const } : {}),
    updates: update === undefined ? [] : [update],
    logs: [],
  };
}

/** `job.reject`: the agent refused the envelope (bad signature, policy…); the run fails with that reason. */
export async function handleJobReject(
  store: StoreWriter,
  agentId: string,
  frame: Frame<'job.reject'>,
  log: FastifyBaseLogger,
): Promise<RunFrameOutcome> {
  log.warn({ runId: frame.runId, code: frame.code, reason: frame.message }, 'agent rejected a job');
  if (frame.runId === undefined) return { updates: [], logs: [] };
  const runId = frame.runId;
  const update = await store.write((trx) =>
    transitionRun(trx, {
      runId,
      agentId,
      transition: 'reject',
      set: {
        error: storedFailure({ code: frame.code, message: frame.message, retryable: false }),
        finished_at: nowIso(),
      },
    }),
  );
  return { updates: update === undefined ? [] : [update], logs: [] };
}

/** `run.event`: stored once per `(agent, seq)` in sequence, applied, acknowledged cumulatively. */
export async function handleRunEvent(
  store: EventStore,
  agentId: string,
  frame: Frame<'run.event'>,
  log: FastifyBaseLogger,
): Promise<RunFrameOutcome> {
  const recorded = await recordAgentEvent(store, agentId, frame);
  if (!recorded.stored) log.debug({ seq: frame.seq }, 'duplicate agent event ignored');
  else if (!recorded.applied)
    log.warn({ seq: frame.seq, runId: frame.runId }, 'event for a run this agent does not own; stored, not applied');
  if (recorded.beyondGap)
    log.warn({ seq: frame.seq, ackSeq: recorded.ackSeq }, 'event beyond a gap not stored; the agent must replay');
  return {
    reply: { type: 'event.ack', seq: recorded.ackSeq },
    replay: recorded.beyondGap,
    updates: recorded.updates,
    logs: recorded.logs,
    steps: recorded.steps,
  };
}

/** `run.events`: a batch applied in one transaction, deduplicated per `(agent, seq)`, one cumulative ack. */
export async function handleRunEvents(
  store: EventStore,
  agentId: string,
  frame: Frame<'run.events'>,
  log: FastifyBaseLogger,
): Promise<RunFrameOutcome> {
  const recorded = await recordAgentEvents(store, agentId, frame.items);
  const duplicates = frame.items.length - recorded.stored - recorded.beyondGap;
  if (duplicates > 0) log.debug({ duplicates }, 'duplicate agent events ignored');
  if (recorded.notApplied > 0)
    log.warn({ notApplied: recorded.notApplied }, 'events for runs this agent does not own; stored, not applied');
  if (recorded.beyondGap > 0)
    log.warn(
      { beyondGap: recorded.beyondGap, ackSeq: recorded.ackSeq },
      'events beyond a gap not stored; the agent must replay',
    );
  return {
    reply: { type: 'event.ack', seq: recorded.ackSeq },
    replay: recorded.beyondGap > 0,
    updates: recorded.updates,
    logs: recorded.logs,
    steps: recorded.steps,
  };
}
