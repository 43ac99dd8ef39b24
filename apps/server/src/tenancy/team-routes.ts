import type { FastifyInstance } from 'fastify';
import { apiRoutes, FlotillaError } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { route } from '../http/contract-route.js';
import type { ServerContext } from '../server-context.js';
import { addTeamMember, createTeam, grantTeam, listTeams } from './team-repo.js';
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

  route(app, teams.grant, async ({ request, principal, params: { id }, body }) => {
    const tenantId = principal.tenantId;
    let projectId = '*';
    if (body.project !== '*') {
      const project = await findProject(db, tenantId, body.project);
      if (project === undefined) throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${body.project}` });
      projectId = project.id;
    }
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
  return Promise.resolve();
}
