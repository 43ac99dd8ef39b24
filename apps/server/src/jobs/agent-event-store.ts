import type { Kysely } from 'kysely';
import { TERMINAL_STATES } from '@flotilla/protocol';
import type { RunEvent } from '@flotilla/protocol';
import { nowIso, toIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { JobLog, JobUpdate } from './job-events.js';
import { transitionRun } from './run-repo.js';
import { OPEN_RUN_STATES } from './job-state.js';

/** An event an agent reported, as parsed from a `run.event` frame. */
export interface AgentEvent {
  seq: number;
  runId: string;
  event: RunEvent;
}

/** Outcome of recording one event: what to acknowledge and what to announce. */
export interface RecordedEvent {
  /** False when this `(agent, seq)` was already stored: a replay, ignored. */
  stored: boolean;
  /** Highest contiguous sequence number stored for the agent: the cumulative `event.ack`. */
  ackSeq: number;
  /** False when the run is unknown or not this agent's (stored and acknowledged, not applied). */
  applied: boolean;
  updates: JobUpdate[];
  logs: JobLog[];
}

/**
 * Stores an agent event exactly once and applies it, in one transaction: the dedupe row, the run
 * change and the cumulative ack move together, so a crash can neither lose nor double-apply it.
 */
export async function recordAgentEvent(db: Kysely<Database>, agentId: string, e: AgentEvent): Promise<RecordedEvent> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('agent_events')
      .values({ agent_id: agentId, seq: e.seq, run_id: e.runId, kind: e.event.kind, payload: JSON.stringify(e.event), received_at: nowIso() })
      .onConflict((oc) => oc.columns(['agent_id', 'seq']).doNothing())
      .executeTakeFirst();
    const stored = (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
    const outcome: RecordedEvent = { stored, ackSeq: 0, applied: false, updates: [], logs: [] };
    if (stored) {
      const run = await trx.selectFrom('runs').select(['id', 'job_id']).where('id', '=', e.runId).where('agent_id', '=', agentId).executeTakeFirst();
      if (run !== undefined) {
        outcome.applied = true;
        await applyEvent(trx, agentId, run.job_id, e, outcome);
      }
    }
    outcome.ackSeq = await advanceAck(trx, agentId);
    return outcome;
  });
}

async function applyEvent(db: Kysely<Database>, agentId: string, jobId: string, e: AgentEvent, out: RecordedEvent): Promise<void> {
  const event = e.event;
  const ts = toIso(event.ts, nowIso());
  const push = (u: JobUpdate | undefined) => {
    if (u !== undefined) out.updates.push(u);
  };
  switch (event.kind) {
    case 'run.started':
      push(
        await transitionRun(db, {
          runId: e.runId,
          agentId,
          from: ['queued', 'dispatched', 'running', 'unknown'],
          to: 'running',
          set: { started_at: (eb) => eb.fn.coalesce('started_at', eb.val(ts)) },
        }),
      );
      return;
    case 'step.started':
      await db
        .insertInto('run_steps')
        .values({ run_id: e.runId, step: event.step, attempt: event.attempt, status: 'running', exit_code: null, error: null, started_at: ts, finished_at: null })
        .onConflict((oc) => oc.columns(['run_id', 'step']).doUpdateSet({ attempt: event.attempt, status: 'running', exit_code: null, error: null, started_at: ts, finished_at: null }))
        .execute();
      return;
    case 'step.finished': {
      const values = { status: event.status, exit_code: event.exitCode, error: event.error ?? null, finished_at: ts };
      await db
        .insertInto('run_steps')
        .values({ run_id: e.runId, step: event.step, attempt: 1, started_at: null, ...values })
        .onConflict((oc) => oc.columns(['run_id', 'step']).doUpdateSet(values))
        .execute();
      return;
    }
    case 'log': {
      const { log_seq: seq } = await db
        .updateTable('runs')
        .set((eb) => ({ log_seq: eb('log_seq', '+', 1) }))
        .where('id', '=', e.runId)
        .returning('log_seq')
        .executeTakeFirstOrThrow();
      await db.insertInto('run_logs').values({ run_id: e.runId, seq, step: event.step, stream: event.stream, line: event.line, ts }).execute();
      out.logs.push({ jobId, line: { runId: e.runId, step: event.step, stream: event.stream, line: event.line, ts, seq } });
      return;
    }
    case 'run.finished':
      // Only a final state ends a run; anything else in `run.finished` is ignored (and logged by the hub).
      if (!TERMINAL_STATES.has(event.state)) return;
      push(
        await transitionRun(db, {
          runId: e.runId,
          agentId,
          from: OPEN_RUN_STATES,
          to: event.state,
          set: { exit_code: event.exitCode, error: event.error ?? null, finished_at: ts },
        }),
      );
      return;
  }
}

/** Moves the agent's cumulative ack over every contiguous stored sequence number. */
async function advanceAck(db: Kysely<Database>, agentId: string): Promise<number> {
  const agent = await db.selectFrom('agents').select('acked_event_seq').where('id', '=', agentId).executeTakeFirstOrThrow();
  let acked = agent.acked_event_seq;
  const following = await db
    .selectFrom('agent_events')
    .select('seq')
    .where('agent_id', '=', agentId)
    .where('seq', '>', acked)
    .orderBy('seq')
    .limit(1000)
    .execute();
  for (const { seq } of following) {
    if (seq !== acked + 1) break;
    acked = seq;
  }
  if (acked !== agent.acked_event_seq) {
    await db.updateTable('agents').set({ acked_event_seq: acked }).where('id', '=', agentId).execute();
  }
  return acked;
}

/** The highest contiguous event sequence stored for an agent (`welcome.lastEventSeq`). */
export async function lastEventSeq(db: Kysely<Database>, agentId: string): Promise<number> {
  const row = await db.selectFrom('agents').select('acked_event_seq').where('id', '=', agentId).executeTakeFirst();
  return row?.acked_event_seq ?? 0;
}
