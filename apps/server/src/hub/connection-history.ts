import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Insertable, Kysely } from 'kysely';
import type { AgentConnectionEvent, Page } from '@flotilla/protocol';
import { newestFirst, toPage } from '../store/cursor.js';
import { newId } from '../store/ids.js';
import type { AgentConnectionTable, Database } from '../store/schema.js';
import type { StoreWriter } from '../store/group-commit.js';

/** Connection events kept per agent; older ones are deleted as new ones are written. */
export const CONNECTION_HISTORY_PER_AGENT = 100;

/** Events waiting to be written at most; beyond it (a database that does not answer) the oldest are dropped. */
const MAX_BUFFERED = 10_000;

/** Agents per prune statement: well under both engines' parameter limits. */
const PRUNE_BATCH = 500;

/** One connect or disconnect as the hub saw it. */
export interface ConnectionRecord {
  agentId: string;
  event: 'connected' | 'disconnected';
  remoteAddress: string | null;
  agentVersion: string | null;
  reason: string | null;
}

export interface ConnectionHistoryOptions {
  store: StoreWriter;
  logger: FastifyBaseLogger;
}

/**
 * Writes agents' connects and disconnects to `agent_connections`, off the connection's path: a
 * record is buffered and returns at once, and everything buffered while the event loop turns is
 * written in one write unit (with the pruning to the last 100 per agent), so a reconnect storm
 * costs a few transactions, not one per agent, and never delays a handshake or a dispatch.
 */
export class ConnectionHistory {
  readonly #options: ConnectionHistoryOptions;
  #buffer: Insertable<AgentConnectionTable>[] = [];
  #flushing: Promise<void> | undefined;
  #scheduled = false;
  /** Last timestamp given out: each record gets a later one, so events of one agent keep their order. */
  #lastMs = 0;
  /** Events dropped because the buffer was full (reported with the next write error). */
  #dropped = 0;

  constructor(options: ConnectionHistoryOptions) {
    this.#options = options;
  }

  record(entry: ConnectionRecord): void {
    this.#lastMs = Math.max(Date.now(), this.#lastMs + 1);
    this.#buffer.push({
      id: newId('con'),
      agent_id: entry.agentId,
      event: entry.event,
      created_at: new Date(this.#lastMs).toISOString(),
      remote_address: entry.remoteAddress,
      agent_version: entry.agentVersion,
      reason: entry.reason === null ? null : entry.reason.slice(0, 500),
    });
    if (this.#buffer.length > MAX_BUFFERED)
      this.#dropped += this.#buffer.splice(0, this.#buffer.length - MAX_BUFFERED).length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.flush();
      });
    }
  }

  /** Writes what is buffered (waiting for a write in progress first); never throws. */
  async flush(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
    const batch = this.#buffer.splice(0);
    if (batch.length === 0) return;
    this.#flushing = this.#write(batch).finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  async #write(batch: Insertable<AgentConnectionTable>[]): Promise<void> {
    try {
      await this.#options.store.write(async (trx) => {
        // Agents deleted meanwhile have no history to keep (and their rows would break the foreign key).
        const agentIds = [...new Set(batch.map((r) => r.agent_id))];
        const live = new Set<string>();
        for (let i = 0; i < agentIds.length; i += PRUNE_BATCH) {
          const rows = await trx
            .selectFrom('agents')
            .select('id')
            .where('id', 'in', agentIds.slice(i, i + PRUNE_BATCH))
            .execute();
          for (const row of rows) live.add(row.id);
        }
        const rows = batch.filter((r) => live.has(r.agent_id));
        for (let i = 0; i < rows.length; i += 200)
          await trx
            .insertInto('agent_connections')
            .values(rows.slice(i, i + 200))
            .execute();
        const touched = [...live];
        for (let i = 0; i < touched.length; i += PRUNE_BATCH) await prune(trx, touched.slice(i, i + PRUNE_BATCH));
      });
    } catch (err) {
      this.#options.logger.error(
        { err, events: batch.length, droppedSoFar: this.#dropped },
        'agent connection history could not be written',
      );
    }
  }
}

/** Deletes all but the newest `CONNECTION_HISTORY_PER_AGENT` events of these agents. */
async function prune(db: Kysely<Database>, agentIds: readonly string[]): Promise<void> {
  const ids = sql.join(agentIds.map((id) => sql`${id}`));
  await sql`delete from agent_connections where agent_id in (${ids}) and id in (
      select id from (
        select id, row_number() over (partition by agent_id order by created_at desc, id desc) as n
        from agent_connections where agent_id in (${ids})
      ) as ranked where n > ${CONNECTION_HISTORY_PER_AGENT})`.execute(db);
}

/** An agent's connection events, newest first. */
export async function listConnections(
  db: Kysely<Database>,
  agentId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<Page<AgentConnectionEvent>> {
  const query = db.selectFrom('agent_connections').selectAll().where('agent_id', '=', agentId);
  const rows = await newestFirst(query, page).execute();
  return toPage(rows, page.limit, (row) => ({
    id: row.id,
    event: row.event,
    at: row.created_at,
    remoteAddress: row.remote_address,
    agentVersion: row.agent_version,
    reason: row.reason,
  }));
}
