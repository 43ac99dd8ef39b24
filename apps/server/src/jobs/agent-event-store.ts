import type { Kysely } from 'kysely';
import { TERMINAL_STATES, storableExitCode, storableText } from '@flotilla/protocol';
import type { RunEvent } from '@flotilla/protocol';
import { insertChunks } from '../logs/log-chunks.js';
import type { LogEntry, NewChunk } from '../logs/log-chunks.js';
import type { LogTextIndex } from '../store/dialect.js';
import type { WriteTransaction } from '../store/group-commit.js';
import type { Store } from '../store/store.js';
import { preparedQuery } from '../store/prepared.js';
import { nowIso, toIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { JobUpdate, StoredLogs } from './job-events.js';
import { transitionRun } from './run-repo.js';
import { storedFailure } from './run-failure.js';
import { storableOutputs, withDroppedOutputs } from './step-outputs.js';

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
  /** Not stored: they follow a sequence number that is missing (the agent must replay from `ackSeq`). */
  beyondGap: number;
  /** Highest contiguous sequence number stored for the agent: the cumulative `event.ack`. */
  ackSeq: number;
  updates: JobUpdate[];
  /** The lines stored, per run. */
  logs: StoredLogs[];
}

/** Outcome of recording one event (the single-event form of `recordAgentEvents`). */
export interface RecordedEvent {
  stored: boolean;
  applied: boolean;
  beyondGap: boolean;
  ackSeq: number;
  updates: JobUpdate[];
  logs: StoredLogs[];
}

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's parameter limits. */
const INSERT_ROWS = 500;

/** Where events are recorded: the store's write path, and its dialect's log text index. */
export type EventStore = Pick<Store, 'write' | 'dialect'>;

/** A batch being applied inside its write unit. */
interface Batch {
  db: WriteTransaction;
  logText: LogTextIndex;
  agentId: string;
  out: RecordedEvents;
}

interface RunInfo {
  jobId: string;
  tenantId: string;
  projectId: string;
}

/**
 * Stores a batch of agent events exactly once and applies them, in ONE transaction: run changes,
 * log chunks and the cumulative ack (`agents.acked_event_seq`) move together, so a crash can
 * neither lose nor double-apply any of them. The ack is a watermark: every seq at or below it is
 * stored, and nothing above it is. Events are stored strictly in sequence: those at or below the
 * ack are replays (ignored), those from `ack + 1` on are stored as long as they are contiguous,
 * and those beyond a gap are NOT stored (`beyondGap`): storing them would apply, say, a
 * `run.finished` before the lines and steps of a batch that failed, and acknowledge nothing of
 * them. The agent keeps every unacknowledged event and replays it in order on its next session.
 */
export async function recordAgentEvents(
  store: EventStore,
  agentId: string,
  items: readonly AgentEvent[],
): Promise<RecordedEvents> {
  return store.write(async (trx) => {
    const out: RecordedEvents = { stored: 0, notApplied: 0, beyondGap: 0, ackSeq: 0, updates: [], logs: [] };
    const row = await ackedSeqQuery.takeFirst(trx, { agentId });
    if (row === undefined) throw new Error(`agent ${agentId} is not in the store`);
    const acked = row.acked_event_seq;
    // Everything at or below the ack is stored already: the watermark dedupes replays.
    const bySeq = new Map<number, AgentEvent>();
    for (const item of items) if (item.seq > acked && !bySeq.has(item.seq)) bySeq.set(item.seq, item);
    if (bySeq.size === 0) {
      out.ackSeq = acked;
      return out;
    }
    // Servers before this rule stored events beyond a gap with a row each; those are not new.
    const parked = await parkedSeqs(trx, agentId, acked);
    const fresh: AgentEvent[] = [];
    let ack = acked;
    for (;;) {
      const next = bySeq.get(ack + 1);
      if (parked.has(ack + 1)) ack++;
      else if (next !== undefined) {
        fresh.push(next);
        ack++;
      } else break;
    }
    for (const seq of bySeq.keys()) if (seq > ack) out.beyondGap++;
    if (parked.size > 0)
      await trx.deleteFrom('agent_events').where('agent_id', '=', agentId).where('seq', '<=', ack).execute();
    if (ack !== acked) await setAckedSeqQuery.execute(trx, { agentId, ack });
    out.stored = fresh.length;
    out.ackSeq = ack;
    if (fresh.length > 0) await applyAll({ db: trx, logText: store.dialect.logText, agentId, out }, fresh);
    return out;
  });
}

const ackedSeqQuery = preparedQuery((db, p: { agentId: string }) =>
  db.selectFrom('agents').select('acked_event_seq').where('id', '=', p.agentId),
);

const setAckedSeqQuery = preparedQuery((db, p: { agentId: string; ack: number }) =>
  db.updateTable('agents').set({ acked_event_seq: p.ack }).where('id', '=', p.agentId),
);

const parkedSeqsQuery = preparedQuery((db, p: { agentId: string; acked: number }) =>
  db.selectFrom('agent_events').select('seq').where('agent_id', '=', p.agentId).where('seq', '>', p.acked),
);

/** Sequence numbers stored above the ack by servers that stored events beyond a gap (before upgrading). */
async function parkedSeqs(db: Kysely<Database>, agentId: string, acked: number): Promise<Set<number>> {
  const rows = await parkedSeqsQuery.execute(db, { agentId, acked });
  return new Set(rows.map((r) => r.seq));
}

/** Stores and applies one event (a `run.event` frame). */
export async function recordAgentEvent(store: EventStore, agentId: string, e: AgentEvent): Promise<RecordedEvent> {
  const r = await recordAgentEvents(store, agentId, [e]);
  return {
    stored: r.stored === 1,
    applied: r.stored === 1 && r.notApplied === 0,
    beyondGap: r.beyondGap === 1,
    ackSeq: r.ackSeq,
    updates: r.updates,
    logs: r.logs,
  };
}

/** The one run of a batch (the usual case), as `applyAll` looks runs up. */
const runInfoQuery = preparedQuery((db, p: { runId: string; agentId: string }) =>
  db
    .selectFrom('runs')
    .select(['id', 'job_id', 'tenant_id', 'project_id'])
    .where('id', '=', p.runId)
    .where('agent_id', '=', p.agentId),
);

async function applyAll(batch: Batch, events: AgentEvent[]): Promise<void> {
  const { db, agentId, out } = batch;
  const runIds = [...new Set(events.map((e) => e.runId))];
  const runs = new Map<string, RunInfo>();
  const [only] = runIds;
  if (runIds.length === 1 && only !== undefined) {
    const r = await runInfoQuery.takeFirst(db, { runId: only, agentId });
    if (r !== undefined) runs.set(r.id, { jobId: r.job_id, tenantId: r.tenant_id, projectId: r.project_id });
  } else {
    for (let i = 0; i < runIds.length; i += INSERT_ROWS) {
      const rows = await db
        .selectFrom('runs')
        .select(['id', 'job_id', 'tenant_id', 'project_id'])
        .where('id', 'in', runIds.slice(i, i + INSERT_ROWS))
        .where('agent_id', '=', agentId)
        .execute();
      for (const r of rows) runs.set(r.id, { jobId: r.job_id, tenantId: r.tenant_id, projectId: r.project_id });
    }
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
    group.entries.push([0, e.event.step, e.event.stream, toIso(e.event.ts, nowIso()), storableText(e.event.line)]);
    linesByRun.set(e.runId, group);
  }
  if (linesByRun.size > 0) await storeLines(batch, linesByRun);
  for (const e of others) await applyEvent(db, agentId, e, out);
}

const reserveLogSeqQuery = preparedQuery((db, p: { jobId: string; count: number }) =>
  db
    .updateTable('jobs')
    .set((eb) => ({ log_seq: eb('log_seq', '+', p.count) }))
    .where('id', '=', p.jobId)
    .returning('log_seq'),
);

/** Gives each run's lines a contiguous range of its job's log sequence, then stores them as chunks. */
async function storeLines(batch: Batch, linesByRun: Map<string, { run: RunInfo; entries: LogEntry[] }>): Promise<void> {
  const { db, out } = batch;
  const chunks: NewChunk[] = [];
  for (const [runId, { run, entries }] of linesByRun) {
    // The row lock on the job orders concurrent batches: ranges are handed out in commit order.
    const row = await reserveLogSeqQuery.takeFirst(db, { jobId: run.jobId, count: entries.length });
    if (row === undefined) throw new Error(`job ${run.jobId} is not in the store`);
    const end = row.log_seq;
    let seq = end - entries.length;
    const scope = { tenantId: run.tenantId, projectId: run.projectId };
    out.logs.push({ ...scope, jobId: run.jobId, runId, fromSeq: seq + 1, toSeq: end });
    for (const entry of entries) entry[0] = ++seq;
    chunks.push({ scope, jobId: run.jobId, runId, entries });
  }
  await insertChunks(db, batch.logText, chunks);
}

const setStartedAtQuery = preparedQuery((db, p: { runId: string; agentId: string; ts: string }) =>
  db
    .updateTable('runs')
    .set({ started_at: p.ts })
    .where('id', '=', p.runId)
    .where('agent_id', '=', p.agentId)
    .where('state', '=', 'running')
    .where('started_at', 'is', null),
);

const stepStartedQuery = preparedQuery((db, p: { runId: string; step: string; attempt: number; ts: string }) => {
  const values = {
    attempt: p.attempt,
    status: 'running',
    exit_code: null,
    error: null,
    started_at: p.ts,
    finished_at: null,
  };
  return db
    .insertInto('run_steps')
    .values({ run_id: p.runId, step: p.step, ...values })
    .onConflict((oc) => oc.columns(['run_id', 'step']).doUpdateSet(values));
});

const stepFinishedQuery = preparedQuery(
  (
    db,
    p: {
      runId: string;
      step: string;
      status: string;
      exitCode: number | null;
      error: string | null;
      ts: string;
      outputs: string | null;
    },
  ) => {
    const values = { status: p.status, exit_code: p.exitCode, error: p.error, finished_at: p.ts, outputs: p.outputs };
    return db
      .insertInto('run_steps')
      .values({ run_id: p.runId, step: p.step, attempt: 1, started_at: null, ...values })
      .onConflict((oc) => oc.columns(['run_id', 'step']).doUpdateSet(values));
  },
);

async function applyEvent(db: WriteTransaction, agentId: string, e: AgentEvent, out: RecordedEvents): Promise<void> {
  const event = e.event;
  const ts = toIso(event.ts, nowIso());
  const push = (u: JobUpdate | undefined) => {
    if (u !== undefined) out.updates.push(u);
  };
  switch (event.kind) {
    case 'run.started': {
      const update = await transitionRun(db, { runId: e.runId, agentId, transition: 'start', startedAt: ts });
      push(update);
      // Usually the run is `running` already (its `job.ack` came first): only the start time is new.
      if (update === undefined) await setStartedAtQuery.execute(db, { runId: e.runId, agentId, ts });
      return;
    }
    case 'step.started':
      await stepStartedQuery.execute(db, { runId: e.runId, step: event.step, attempt: event.attempt, ts });
      return;
    case 'step.finished': {
      const outputs = storableOutputs(event.outputs);
      const error = withDroppedOutputs(event.error, outputs.dropped);
      await stepFinishedQuery.execute(db, {
        runId: e.runId,
        step: event.step,
        status: event.status,
        exitCode: storableExitCode(event.exitCode),
        error: error === undefined ? null : storedFailure(error),
        ts,
        outputs: outputs.json,
      });
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
          transition: 'finish',
          to: event.state,
          set: {
            exit_code: storableExitCode(event.exitCode),
            error: event.error === undefined ? null : storedFailure(event.error),
            finished_at: ts,
          },
        }),
      );
      return;
  }
}

/** The highest contiguous event sequence stored for an agent (`welcome.lastEventSeq`). */
export async function lastEventSeq(db: Kysely<Database>, agentId: string): Promise<number> {
  const row = await ackedSeqQuery.takeFirst(db, { agentId });
  return row?.acked_event_seq ?? 0;
}
