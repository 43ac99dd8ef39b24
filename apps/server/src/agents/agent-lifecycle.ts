import type { Kysely } from 'kysely';
import { FlotillaError, TERMINAL_STATES } from '@flotilla/protocol';
import type { Labels } from '@flotilla/protocol';
import { nowIso } from '../store/time.js';
import type { AgentApproval, Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import { getAgent } from './agent-repo.js';
import type { AgentRow } from './agent-repo.js';
import type { TrustChange } from './approve-agent.js';

/** Run states after which a run no longer needs its agent. */
const TERMINAL_RUN_STATES = [...TERMINAL_STATES];

async function requireAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<AgentRow> {
  const agent = await getAgent(db, scope, id);
  if (agent === undefined) throw new FlotillaError('AGENT_NOT_FOUND', { detail: `No agent ${id}` });
  return agent;
}

async function setApproval(db: Kysely<Database>, agent: AgentRow, approval: AgentApproval): Promise<AgentRow> {
  const now = nowIso();
  const connection = approval === 'approved' ? agent.connection : 'offline';
  await db.updateTable('agents').set({ approval, connection, updated_at: now }).where('id', '=', agent.id).execute();
  return { ...agent, approval, connection, updated_at: now };
}

/** Rejects a pending agent (or key-change request): it stays on record as `revoked`, never trusted. */
export async function rejectAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<TrustChange> {
  const agent = await requireAgent(db, scope, id);
  if (agent.approval !== 'pending')
    throw new FlotillaError('CONFLICT', { detail: `Agent ${agent.name} is ${agent.approval}, not pending` });
  return { agent: await setApproval(db, agent, 'revoked'), disconnect: [id] };
}

/** Disables an approved agent: refused and disconnected until enabled again (its key stays trusted). */
export async function disableAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<TrustChange> {
  const agent = await requireAgent(db, scope, id);
  if (agent.approval === 'disabled') return { agent, disconnect: [id] };
  if (agent.approval !== 'approved')
    throw new FlotillaError('CONFLICT', { detail: `Agent ${agent.name} is ${agent.approval} and cannot be disabled` });
  return { agent: await setApproval(db, agent, 'disabled'), disconnect: [id] };
}

export async function enableAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<AgentRow> {
  const agent = await requireAgent(db, scope, id);
  if (agent.approval === 'approved') return agent;
  if (agent.approval !== 'disabled')
    throw new FlotillaError('CONFLICT', { detail: `Agent ${agent.name} is ${agent.approval} and cannot be enabled` });
  return setApproval(db, agent, 'approved');
}

/**
 * Deletes an agent's record (its enrolment): coming back needs a new enrolment token. Refused
 * while runs are still assigned to it, because deleting it would delete them too.
 */
export async function deleteAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<TrustChange> {
  const agent = await requireAgent(db, scope, id);
  const active = await db
    .selectFrom('runs')
    .select('id')
    .where('agent_id', '=', id)
    .where('state', 'not in', TERMINAL_RUN_STATES)
    .executeTakeFirst();
  if (active !== undefined)
    throw new FlotillaError('CONFLICT', { detail: `Agent ${agent.name} has unfinished runs; cancel them first` });
  await db.deleteFrom('agents').where('id', '=', id).execute();
  return { agent, disconnect: [id] };
}

/** Replaces an agent's labels. */
export async function updateAgentLabels(
  db: Kysely<Database>,
  scope: Scope,
  id: string,
  labels: Labels,
): Promise<AgentRow> {
  const agent = await requireAgent(db, scope, id);
  const now = nowIso();
  const text = JSON.stringify(labels);
  await db.updateTable('agents').set({ labels: text, updated_at: now }).where('id', '=', id).execute();
  return { ...agent, labels: text, updated_at: now };
}
