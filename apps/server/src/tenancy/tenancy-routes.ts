import type { FastifyInstance } from 'fastify';
import { CreateProjectRequestSchema, CreateTenantRequestSchema, CreateUserRequestSchema, FlotillaError } from '@flotilla/protocol';
import type { Project, Tenant, UserAccount } from '@flotilla/protocol';
import { auditContextOf } from '../audit/audit-context.js';
import { principalOf } from '../auth/auth-plugin.js';
import { parseInput } from '../http/parse-input.js';
import type { ServerContext } from '../server-context.js';
import { createProject, createTenant, findTenantByName, listProjects, listTenants } from './tenant-repo.js';
import { isServerOwner } from './principal.js';
import { createUser, listUsers } from './user-admin-repo.js';

/** Tenants (owner), projects and users (tenant admins) of the tenant directory. */
export function tenancyRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const db = ctx.store.db;

  app.post('/tenants', { config: { permission: 'server:owner' } }, async (request, reply): Promise<Tenant> => {
    const body = parseInput(CreateTenantRequestSchema, request.body, 'body');
    const tenant = await createTenant(db, body.name);
    // Recorded in the new tenant's chain: its history starts with its creation.
    await ctx.audit.record({ ...auditContextOf(request), tenantId: tenant.id, action: 'tenant.create', objectType: 'tenant', objectId: tenant.id, change: { name: tenant.name } });
    void reply.status(201);
    return tenant;
  });

  app.get('/tenants', { config: { permission: 'tenancy:read' } }, async (request): Promise<{ items: Tenant[] }> => {
    const p = principalOf(request);
    return { items: await listTenants(db, { tenantId: p.tenantId, owner: isServerOwner(p) }) };
  });

  app.post('/projects', { config: { permission: 'tenancy:admin' } }, async (request, reply): Promise<Project> => {
    const body = parseInput(CreateProjectRequestSchema, request.body, 'body');
    const project = await createProject(db, principalOf(request).tenantId, body.name);
    await ctx.audit.record({ ...auditContextOf(request), action: 'project.create', objectType: 'project', objectId: project.id, change: { name: project.name } });
    void reply.status(201);
    return project;
  });

  app.get('/projects', { config: { permission: 'tenancy:read' } }, async (request): Promise<{ items: Project[] }> => ({
    items: await listProjects(db, principalOf(request).tenantId),
  }));

  app.post('/users', { config: { permission: 'tenancy:admin' } }, async (request, reply): Promise<UserAccount> => {
    const body = parseInput(CreateUserRequestSchema, request.body, 'body');
    const p = principalOf(request);
    // Admins create users in their own tenant; only the owner reaches other tenants. Another
    // tenant's name is answered like a missing one.
    const tenant = body.tenant === undefined ? { id: p.tenantId, name: p.tenantName } : await findTenantByName(db, body.tenant);
    if (tenant === undefined || (tenant.id !== p.tenantId && !isServerOwner(p))) {
      throw new FlotillaError('NOT_FOUND', { detail: `No tenant ${body.tenant ?? ''}` });
    }
    const user = await createUser(db, { tenant, username: body.username, password: body.password, role: body.role });
    await ctx.audit.record({ ...auditContextOf(request), tenantId: tenant.id, action: 'user.create', objectType: 'user', objectId: user.id, change: { username: user.username, role: user.role } });
    void reply.status(201);
    return user;
  });

  app.get('/users', { config: { permission: 'tenancy:read' } }, async (request): Promise<{ items: UserAccount[] }> => ({
    items: await listUsers(db, principalOf(request).tenantId),
  }));
  return Promise.resolve();
}
