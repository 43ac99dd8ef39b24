import type { Kysely, Selectable } from 'kysely';
import type { Agent, AgentFacts, Labels } from '@flotilla/protocol';
import { keyFingerprint } from '@flotilla/node-kit';
import type { WriteTransaction } from '../store/group-commit.js';
import { nowIso } from '../store/time.js';
import type { AgentTable, Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';

export type AgentRow = Selectable<AgentTable>;

/** Maps a row to the API shape: trust state wins over connectivity in `status`. */
export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    name: row.name,
    status: row.approval === 'approved' ? row.connection : row.approval,
    labels: JSON.parse(row.labels) as Labels,
    version: row.version,
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    hostname: row.hostname,
    os: row.os,
    arch: row.arch,
    replacesAgentId: row.replaces_agent_id,
    keyFingerprint: keyFingerprint(row.public_key),
    connectedAt: row.connected_at,
    remoteAddress: row.remote_address,
  };
}

/** Columns derived from the facts an agent reports at enrolment. */
export function factColumns(facts: AgentFacts): Pick<AgentRow, 'facts' | 'hostname' | 'os' | 'arch' | 'version'> {
  return {
    facts: JSON.stringify(facts),
    hostname: facts.hostname,
    os: facts.os,
    arch: facts.arch,
    version: facts.agentVersion,
  };
}

/** Any agent by id, across tenants: only the hub uses this, after which it acts on that agent's scope. */
export function findAgentById(db: Kysely<Database>, id: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
}

export function getAgent(db: Kysely<Database>, scope: Scope, id: string): Promise<AgentRow | undefined> {
  return db
    .selectFrom('agents')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .executeTakeFirst();
}

/** The trusted (non-revoked, not a key-change request) agent with this name. */
export function findTrustedAgentByName(
  db: Kysely<Database>,
  scope: Scope,
  name: string,
): Promise<AgentRow | undefined> {
  return db
    .selectFrom('agents')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('name', '=', name)
    .where('replaces_agent_id', 'is', null)
    .where('approval', '<>', 'revoked')
    .executeTakeFirst();
}

/** The pending key-change request for this name, if any. */
export function findKeyChangeRequest(db: Kysely<Database>, scope: Scope, name: string): Promise<AgentRow | undefined> {
  return db
    .selectFrom('agents')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('project_id', '=', scope.projectId)
    .where('name', '=', name)
    .where('replaces_agent_id', 'is not', null)
    .where('approval', '=', 'pending')
    .executeTakeFirst();
}

/** A job target: an agent id, else a trusted agent's name. Revoked agents are never targets. */
export async function resolveTargetAgent(
  db: Kysely<Database>,
  scope: Scope,
  nameOrId: string,
): Promise<AgentRow | undefined> {
  const byId = await getAgent(db, scope, nameOrId);
  if (byId !== undefined) return byId.approval === 'revoked' ? undefined : byId;
  return findTrustedAgentByName(db, scope, nameOrId);
}

/** Records a (dis)connection; `version` is what the agent reported in `hello`. */
export async function setAgentConnection(
  db: WriteTransaction,
  id: string,
  connection: 'online' | 'offline',
  version?: string,
): Promise<void> {
  const now = nowIso();
  await db
    .updateTable('agents')
    .set({ connection, last_seen_at: now, updated_at: now, ...(version === undefined ? {} : { version }) })
    .where('id', '=', id)
    .execute();
}
