import type { Kysely } from 'kysely';
import { FlotillaError } from '@flotilla/protocol';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { getAgent } from './agent-repo.js';
import type { AgentRow } from './agent-repo.js';

/** Result of a trust change: the hub disconnects every agent id in `disconnect`. */
export interface TrustChange {
  agent: AgentRow;
  disconnect: string[];
}

/**
 * Approves a pending agent. Approving a key-change request makes its key the trusted one: the
 * record it replaces is revoked (and disconnected) in the same transaction.
 */
export async function approveAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<TrustChange> {
  return db.transaction().execute(async (trx) => {
    const agent = await getAgent(trx, scope, id);
    if (agent === undefined) throw new FlotillaError('AGENT_NOT_FOUND');
    if (agent.approval === 'approved') return { agent, disconnect: [] };
    if (agent.approval !== 'pending')
      throw new FlotillaError('CONFLICT', {
        detail: `Agent ${agent.name} is ${agent.approval} and cannot be approved`,
      });
    const now = nowIso();
    const disconnect: string[] = [];
    if (agent.replaces_agent_id !== null) {
      // Revoke first: the unique index allows one trusted record per name at any moment.
      await trx
        .updateTable('agents')
        .set({ approval: 'revoked', connection: 'offline', updated_at: now })
        .where('id', '=', agent.replaces_agent_id)
        .execute();
      disconnect.push(agent.replaces_agent_id);
    }
    await trx
      .updateTable('agents')
      .set({ approval: 'approved', replaces_agent_id: null, updated_at: now })
      .where('id', '=', id)
      .execute();
    return { agent: { ...agent, approval: 'approved', replaces_agent_id: null, updated_at: now }, disconnect };
  });
}

/** Revokes an agent: it is refused from now on and its connection is closed. */
export async function revokeAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<TrustChange> {
  const agent = await getAgent(db, scope, id);
  if (agent === undefined) throw new FlotillaError('AGENT_NOT_FOUND');
  const now = nowIso();
  await db
    .updateTable('agents')
    .set({ approval: 'revoked', connection: 'offline', updated_at: now })
    .where('id', '=', id)
    .execute();
  return { agent: { ...agent, approval: 'revoked', connection: 'offline', updated_at: now }, disconnect: [id] };
}
