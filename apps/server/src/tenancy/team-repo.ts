import type { Kysely } from 'kysely';
import type { Team } from '@flotilla/protocol';
import { FlotillaError } from '@flotilla/protocol';
import { newId } from '../store/ids.js';
import { nowIso } from '../store/time.js';
import type { Database } from '../store/schema.js';

async function loadTeams(db: Kysely<Database>, tenantId: string, teamId?: string): Promise<Team[]> {
  let query = db.selectFrom('teams').selectAll().where('tenant_id', '=', tenantId);
  if (teamId !== undefined) query = query.where('id', '=', teamId);
  const teams = await query.orderBy('name').execute();
  if (teams.length === 0) return [];
  const ids = teams.map((t) => t.id);
  const members = await db
    .selectFrom('team_members')
    .innerJoin('users', 'users.id', 'team_members.user_id')
    .select(['team_members.team_id', 'users.id', 'users.username'])
    .where('team_members.team_id', 'in', ids)
    .orderBy('users.username')
    .execute();
  const grants = await db
    .selectFrom('team_grants')
    .leftJoin('projects', 'projects.id', 'team_grants.project_id')
    .select(['team_grants.team_id', 'team_grants.project_id', 'team_grants.access', 'projects.name as project_name'])
    .where('team_grants.team_id', 'in', ids)
    .execute();
  return teams.map((t) => ({
    id: t.id,
    name: t.name,
    members: members.filter((m) => m.team_id === t.id).map((m) => ({ id: m.id, username: m.username })),
    grants: grants
      .filter((g) => g.team_id === t.id)
      .map((g) => ({ project: g.project_id === '*' ? '*' : (g.project_name ?? g.project_id), access: g.access })),
    createdAt: t.created_at,
  }));
}

export function listTeams(db: Kysely<Database>, tenantId: string): Promise<Team[]> {
  return loadTeams(db, tenantId);
}

/** A team of the tenant; a team of another tenant is `NOT_FOUND` like a missing one. */
export async function getTeam(db: Kysely<Database>, tenantId: string, teamId: string): Promise<Team> {
  const [team] = await loadTeams(db, tenantId, teamId);
  if (team === undefined) throw new FlotillaError('NOT_FOUND', { detail: `No team ${teamId}` });
  return team;
}

export async function createTeam(db: Kysely<Database>, tenantId: string, name: string): Promise<Team> {
  const existing = await db
    .selectFrom('teams')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (existing !== undefined) throw new FlotillaError('CONFLICT', { detail: `Team ${name} exists` });
  const row = { id: newId('tea'), tenant_id: tenantId, name, created_at: nowIso() };
  await db.insertInto('teams').values(row).execute();
  return { id: row.id, name, members: [], grants: [], createdAt: row.created_at };
}

/** Adds a user of the same tenant (idempotent). */
export async function addTeamMember(
  db: Kysely<Database>,
  tenantId: string,
  teamId: string,
  userId: string,
): Promise<Team> {
  await getTeam(db, tenantId, teamId);
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (user === undefined) throw new FlotillaError('NOT_FOUND', { detail: `No user ${userId}` });
  await db
    .insertInto('team_members')
    .values({ team_id: teamId, user_id: userId })
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
    .execute();
  return getTeam(db, tenantId, teamId);
}

/** Grants (or changes) a team's access on a project id or `*`. */
export async function grantTeam(
  db: Kysely<Database>,
  tenantId: string,
  grant: { teamId: string; projectId: string; access: 'full' | 'read-only' },
): Promise<Team> {
  await getTeam(db, tenantId, grant.teamId);
  await db
    .insertInto('team_grants')
    .values({ team_id: grant.teamId, project_id: grant.projectId, access: grant.access })
    .onConflict((oc) => oc.columns(['team_id', 'project_id']).doUpdateSet({ access: grant.access }))
    .execute();
  return getTeam(db, tenantId, grant.teamId);
}

/** Removes a user from a team of the tenant; `NOT_FOUND` when the user is not a member. */
export async function removeTeamMember(
  db: Kysely<Database>,
  tenantId: string,
  teamId: string,
  userId: string,
): Promise<Team> {
  await getTeam(db, tenantId, teamId);
  const result = await db
    .deleteFrom('team_members')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) {
    throw new FlotillaError('NOT_FOUND', { detail: `User ${userId} is not a member of team ${teamId}` });
  }
  return getTeam(db, tenantId, teamId);
}

/** Withdraws a team's grant on a project id or `*`; `NOT_FOUND` when it holds none there. */
export async function revokeTeamGrant(
  db: Kysely<Database>,
  tenantId: string,
  grant: { teamId: string; projectId: string },
): Promise<Team> {
  await getTeam(db, tenantId, grant.teamId);
  const result = await db
    .deleteFrom('team_grants')
    .where('team_id', '=', grant.teamId)
    .where('project_id', '=', grant.projectId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) {
    throw new FlotillaError('NOT_FOUND', { detail: `Team ${grant.teamId} holds no grant on that project` });
  }
  return getTeam(db, tenantId, grant.teamId);
}
