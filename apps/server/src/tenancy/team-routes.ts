import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import {
  addTeamMember,
  createTeam,
  getTeam,
  grantTeam,
  listTeams,
  removeTeamMember,
  revokeTeamGrant,
} from './team-repo.js';
import { findProject } from './tenant-repo.js';

const teams = apiRoutes.teams;

/** Teams of the caller's tenant, their members and their project grants. */
export function teamRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  route(app, teams.create, async ({ request, principal, body }) => {
    const team = await createTeam(db, principal.tenantId, body.name);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'team.create',
      objectType: 'team',
      objectId: team.id,
      change: { name: team.name },
    });
    return team;
  });

  route(app, teams.list, async ({ principal }) => ({ items: await listTeams(db, principal.tenantId) }));

  route(app, teams.addMember, async ({ request, principal, params: { id }, body }) => {
    const team = await addTeamMember(db, principal.tenantId, id, body.userId);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'team.member_add',
      objectType: 'team',
      objectId: id,
      change: { userId: body.userId },
    });
    return team;
  });

  route(app, teams.removeMember, async ({ request, principal, params: { id, userId } }) => {
    const team = await removeTeamMember(db, principal.tenantId, id, userId);
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'team.member_remove',
      objectType: 'team',
      objectId: id,
      change: { userId },
    });
    return team;
  });

  /** The stored project id of a grant's project (a name of the tenant, or `*`). */
  async function grantProjectId(tenantId: string, project: string): Promise<string> {
    if (project === '*') return '*';
    const found = await findProject(db, tenantId, project);
    if (found === undefined) throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${project}` });
    return found.id;
  }

  route(app, teams.grant, async ({ request, principal, params: { id }, body }) => {
    const tenantId = principal.tenantId;
    const projectId = await grantProjectId(tenantId, body.project);
    const team = await grantTeam(db, tenantId, { teamId: id, projectId, access: body.access });
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'team.grant',
      objectType: 'team',
      objectId: id,
      change: { project: body.project, access: body.access },
    });
    return team;
  });

  route(app, teams.revokeGrant, async ({ request, principal, params: { id, project } }) => {
    const tenantId = principal.tenantId;
    // The team first: another tenant's team is NOT_FOUND whatever the project.
    await getTeam(db, tenantId, id);
    const projectId = await grantProjectId(tenantId, project);
    const team = await revokeTeamGrant(db, tenantId, { teamId: id, projectId });
    await ctx.audit.record({
      ...auditContextOf(request),
      action: 'team.grant_revoke',
      objectType: 'team',
      objectId: id,
      change: { project },
    });
    return team;
  });
  return Promise.resolve();
}
