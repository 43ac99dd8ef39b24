import type { FastifyInstance } from 'fastify';
import { AddTeamMemberRequestSchema, CreateTeamRequestSchema, FlotillaError, GrantRequestSchema, IdParamsSchema } from '@flotilla/protocol';
import type { Team } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { addTeamMember, createTeam, grantTeam, listTeams } from './team-repo.js';
import { findProject } from './tenant-repo.js';

/** Teams of the caller's tenant, their members and their project grants. */
export function teamRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  app.post('/teams', { config: { permission: 'tenancy:admin' } }, async (request, reply): Promise<Team> => {
    const body = parseInput(CreateTeamRequestSchema, request.body, 'body');
    const team = await createTeam(db, principalOf(request).tenantId, body.name);
    await ctx.audit.record({ ...auditContextOf(request), action: 'team.create', objectType: 'team', objectId: team.id, change: { name: team.name } });
    void reply.status(201);
    return team;
  });

  app.get('/teams', { config: { permission: 'tenancy:read' } }, async (request): Promise<{ items: Team[] }> => ({
    items: await listTeams(db, principalOf(request).tenantId),
  }));

  app.post('/teams/:id/members', { config: { permission: 'tenancy:admin' } }, async (request): Promise<Team> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(AddTeamMemberRequestSchema, request.body, 'body');
    const team = await addTeamMember(db, principalOf(request).tenantId, id, body.userId);
    await ctx.audit.record({ ...auditContextOf(request), action: 'team.member_add', objectType: 'team', objectId: id, change: { userId: body.userId } });
    return team;
  });

  app.post('/teams/:id/grants', { config: { permission: 'tenancy:admin' } }, async (request): Promise<Team> => {
    const { id } = parseInput(IdParamsSchema, request.params, 'params');
    const body = parseInput(GrantRequestSchema, request.body, 'body');
    const tenantId = principalOf(request).tenantId;
    let projectId = '*';
    if (body.project !== '*') {
      const project = await findProject(db, tenantId, body.project);
      if (project === undefined) throw new FlotillaError('PROJECT_NOT_FOUND', { detail: `No project ${body.project}` });
      projectId = project.id;
    }
    const team = await grantTeam(db, tenantId, { teamId: id, projectId, access: body.access });
    await ctx.audit.record({ ...auditContextOf(request), action: 'team.grant', objectType: 'team', objectId: id, change: { project: body.project, access: body.access } });
    return team;
  });
  return Promise.resolve();
}
