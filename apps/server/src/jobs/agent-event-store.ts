import type { Kysely } from 'kysely';
import { TERMINAL_STATES } from '@flotilla/protocol';
import type { RunEvent } from '@flotilla/protocol';
import { entryToLine, insertChunks } from '../logs/log-chunks.js';
import type { LogEntry, NewChunk } from '../logs/log-chunks.js';
import type { StoreWriter } from '../store/group-commit.js';
import { nowIso, toIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { JobLog, JobUpdate } from './job-events.js';
import { transitionRun } from './run-repo.js';
import { OPEN_RUN_STATES } from './job-state.js';

/** An event an agent reported, as parsed from a `run.event` frame or one item of `run.events`. */
export interface AgentEvent {
  seq: number;
  runId: string;
  event: RunEvent;
}

/** Outcome of recording a batch: what to acknowledge and what to announce. */
export interface RecordedEvents {
  /** Events stored now (the others were replays of stored sequence numbers, ignored). */
  stored: number;
  /** Stored but not applied: the run is unknown or not this agent's. */
  notApplied: number;
  /** Highest contiguous sequence number stored for the agent: the cumulative `event.ack`. */
  ackSeq: number;
  updates: JobUpdate[];
  logs: JobLog[];
}

/** Outcome of recording one event (the single-event form of `recordAgentEvents`). */
export interface RecordedEvent {
  stored: boolean;
  applied: boolean;
  ackSeq: number;
  updates: JobUpdate[];
  logs: JobLog[];
}

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's parameter limits. */
const INSERT_ROWS = 500;

interface RunInfo {
  jobId: string;
  tenantId: string;
  projectId: string;
}

/**
 * Stores a batch of agent events exactly once and applies them, in ONE transaction: run changes,
 * log chunks and the cumulative ack (`agents.acked_event_seq`) move together, so a crash can
 * neither lose nor double-apply any of them. Dedupe is by `(agent, seq)`: the ack is a watermark
 * (every seq at or below it is stored), and only events that arrive beyond a gap get an
 * `agent_events` row until the gap closes. In-order traffic (the normal case) writes no dedupe
 * rows at all, which is what makes log ingestion cheap.
 */
export async function recordAgentEvents(store: StoreWriter, agentId: string, items: readonly AgentEvent[]): Promise<RecordedEvents> {
  return store.write(async (trx) => {
    const out: RecordedEvents = { stored: 0, notApplied: 0, ackSeq: 0, updates: [], logs: [] };
    const { acked_event_seq: acked } = await trx.selectFrom('agents').select('acked_event_seq').where('id', '=', agentId).executeTakeFirstOrThrow();
    // Everything at or below the ack is stored already: the watermark dedupes most replays.
    const bySeq = new Map<number, AgentEvent>();
    for (const item of items) if (item.seq > acked && !bySeq.has(item.seq)) bySeq.set(item.seq, item);
    if (bySeq.size === 0) {
      out.ackSeq = acked;
      return out;
    }
    // Events stored earlier beyond a gap (arrived out of order) have rows; they are not new.
    const parked = await parkedSeqs(trx, agentId, acked);
    const fresh = [...bySeq.values()].filter((e) => !parked.has(e.seq)).sort((x, y) => x.seq - y.seq);
    let ack = acked;
    while (bySeq.has(ack + 1) || parked.has(ack + 1)) ack++;
    // Only events beyond the new ack need a row (for dedupe until the gap closes); rows at or
    // below it are covered by the watermark from now on.
    const beyond = fresh.filter((e) => e.seq > ack);
    const receivedAt = nowIso();
    for (let i = 0; i < beyond.length; i += INSERT_ROWS) {
      const rows = beyond.slice(i, i + INSERT_ROWS).map((e) => ({
        agent_id: agentId,
        seq: e.seq,
        run_id: e.runId,
        kind: e.event.kind,
        payload: e.event.kind === 'log' ? '' : JSON.stringify(e.event),
        received_at: receivedAt,
      }));
      await trx.insertInto('agent_events').values(rows).execute();
    }
    if (parked.size > 0) await trx.deleteFrom('agent_events').where('agent_id', '=', agentId).where('seq', '<=', ack).execute();
    if (ack !== acked) await trx.updateTable('agents').set({ acked_event_seq: ack }).where('id', '=', agentId).execute();
    out.stored = fresh.length;
    out.ackSeq = ack;
    if (fresh.length > 0) await applyAll(trx, agentId, fresh, out);
    return out;
  });
}

/** Sequence numbers stored above the ack (out-of-order arrivals waiting for a gap to close). */
async function parkedSeqs(db: Kysely<Database>, agentId: string, acked: number): Promise<Set<number>> {
  const rows = await db.selectFrom('agent_events').select('seq').where('agent_id', '=', agentId).where('seq', '>', acked).execute();
  return new Set(rows.map((r) => r.seq));
}

/** Stores and applies one event (a `run.event` frame). */
export async function recordAgentEvent(store: StoreWriter, agentId: string, e: AgentEvent): Promise<RecordedEvent> {
  const r = await recordAgentEvents(store, agentId, [e]);
  return { stored: r.stored === 1, applied: r.stored === 1 && r.notApplied === 0, ackSeq: r.ackSeq, updates: r.updates, logs: r.logs };
}

async function applyAll(db: Kysely<Database>, agentId: string, events: AgentEvent[], out: RecordedEvents): Promise<void> {
  const runIds = [...new Set(events.map((e) => e.runId))];
  const runs = new Map<string, RunInfo>();
  for (let i = 0; i < runIds.length; i += INSERT_ROWS) {
    const rows = await db
      .selectFrom('runs')
      .select(['id', 'job_id', 'tenant_id', 'project_id'])
      .where('id', 'in', runIds.slice(i, i + INSERT_ROWS))
      .where('agent_id', '=', agentId)
      .execute();
    for (const r of rows) runs.set(r.id, { jobId: r.job_id, tenantId: r.tenant_id, projectId: r.project_id });
  }
  // Log lines of the batch, grouped per run, applied before the other events of the batch: a
  // batch is ordered and lines precede the `run.finished` that follows them.
  const linesByRun = new Map<string, { run: RunInfo; entries: LogEntry[] }>();
  const others: AgentEvent[] = [];
  for (const e of events) {
    const run = runs.get(e.runId);
    if (run === undefined) {
      out.notApplied++;
      continue;
    }
    if (e.event.kind !== 'log') {
      others.push(e);
      continue;
    }
    const group = linesByRun.get(e.runId) ?? { run, entries: [] };
    group.entries.push([0, e.event.step, e.event.stream, toIso(e.event.ts, nowIso()), e.event.line]);
    linesByRun.set(e.runId, group);
  }
  if (linesByRun.size > 0) await storeLines(db, linesByRun, out);
  for (const e of others) await applyEvent(db, agentId, e, out);
}

/** Gives each run's lines a contiguous range of its job's log sequence, then stores them as chunks. */
async function storeLines(db: Kysely<Database>, linesByRun: Map<string, { run: RunInfo; entries: LogEntry[] }>, out: RecordedEvents): Promise<void> {
  const chunks: NewChunk[] = [];
  for (const [runId, { run, entries }] of linesByRun) {
    // The row lock on the job orders concurrent batches: ranges are handed out in commit order.
    const { log_seq: end } = await db
      .updateTable('jobs')
      .set((eb) => ({ log_seq: eb('log_seq', '+', entries.length) }))
      .where('id', '=', run.jobId)
      .returning('log_seq')
      .executeTakeFirstOrThrow();
    let seq = end - entries.length;
    for (const entry of entries) {
      entry[0] = ++seq;
      out.logs.push({ jobId: run.jobId, line: entryToLine(runId, entry) });
    }
    chunks.push({ scope: { tenantId: run.tenantId, projectId: run.projectId }, jobId: run.jobId, runId, entries });
  }
  await insertChunks(db, chunks);
}

async function applyEvent(db: Kysely<Database>, agentId: string, e: AgentEvent, out: RecordedEvents): Promise<void> {
  const event = e.event;
  const ts = toIso(event.ts, nowIso());
  const push = (u: JobUpdate | undefined) => {
    if (u !== undefined) out.updates.push(u);
  };
  switch (event.kind) {
    case 'run.started': {
      const update = await transitionRun(db, {
        runId: e.runId,
        agentId,
        from: ['queued', 'dispatched', 'unknown'],
        to: 'running',
        // An `unknown` run that comes back keeps the start time it had.
        set: { started_at: (eb) => eb.fn.coalesce('started_at', eb.val(ts)) },
      });
      push(update);
      // Usually the run is `running` already (its `job.ack` came first): only the start time is new.
      if (update === undefined) {
        await db.updateTable('runs').set({ started_at: ts }).where('id', '=', e.runId).where('agent_id', '=', agentId).where('state', '=', 'running').where('started_at', 'is', null).execute();
      }
      return;
    }
    case 'step.started':
      await db
        .insertInto('run_steps')
        .values({ run_id: e.runId, step: event.step, attempt: event.attempt, status: 'running', exit_code: null, error: null, started_at: ts, finished_at: null })
        .onConflict((oc) => oc.columns(['run_id', 'step']).doUpdateSet({ attempt: event.attempt, status: 'running', exit_code: null, error: null, started_at: ts, finished_at: null }))
        .execute();
      return;
    case 'step.finished': {
      const values = {
        status: event.status,
        exit_code: event.exitCode,
        error: event.error ?? null,
        finished_at: ts,
        outputs: event.outputs === undefined ? null : JSON.stringify(event.outputs),
      };
      await db
        .insertInto('run_steps')
        .values({ run_id: e.runId, step: event.step, attempt: 1, started_at: null, ...values })
        .onConflict((oc) => oc.columns(['run_id', 'step']).doUpdateSet(values))
        .execute();
      return;
    }
    case 'log':
      // Stored in chunks by `storeLines`.
      return;
    case 'run.finished':
      // Only a final state ends a run; anything else in `run.finished` is ignored.
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

/** The highest contiguous event sequence stored for an agent (`welcome.lastEventSeq`). */
export async function lastEventSeq(db: Kysely<Database>, agentId: string): Promise<number> {
  const row = await db.selectFrom('agents').select('acked_event_seq').where('id', '=', agentId).executeTakeFirst();
  return row?.acked_event_seq ?? 0;
}
